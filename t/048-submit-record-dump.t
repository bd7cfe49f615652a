# A new report's record reaches Redis as one argument, its hash
# serialised by the worker as Redis's DUMP would (ngx_pa_submit_record.h),
# and submit.lua creates it with RESTORE (issue 12).  What is stored must
# be the very hash HSET of the same fields made: each record's DUMP
# (uncompressed) is compared with the DUMP of a copy made by HSET of its
# fields in their order, for titles Redis stores as integers of each
# width and those it keeps as text, short and long texts (a listpack
# entry's every length encoding), with pa_record_compat off and on.  The
# records read back through the API; Redis checking payloads deeply
# (sanitize-dump-payload yes) takes them; a Redis whose ACL refuses
# RESTORE gets nothing half-written and the client a JSON 503.  Lai
# Châu's profile as shipped.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaIdem;
use t::PaAccept;
use JSON::PP;
use Digest::SHA qw(sha256_hex);

our $P = 'pa:{laichau}:';
our $Http = idem_http();

# compat off but where a block's name says "compat on"
idem_blocks(sub {
    my $on = $_[0]->name =~ /compat on/ ? 'on' : 'off';
    return "$Http    pa_record_compat $on;\n";
});

# $code run while Redis is set as @$set, then set back as @$unset even
# when $code dies (the suites share the Redis)
sub redis_while {
    my ($set, $unset, $code) = @_;
    main::redis_raw(@$set);
    my @r = eval { $code->() };
    my $e = $@;
    main::redis_raw(@$unset);
    die $e if $e;
    return @r;
}

# a report titled $title of text $text: (status, answer)
sub post {
    my ($title, $text) = @_;
    my $r = JSON::PP->new->decode(main::json_report($text));
    $r->{title} = $title;
    my ($s, $b) = main::call('POST', '/api/v1/reports', main::hd(),
                             JSON::PP->new->encode($r));
    return ($s, $s == 201 ? JSON::PP->new->decode($b) : $b);
}

# the record of $id: its DUMP, and the DUMP of a copy HSET makes of its
# fields in their order (both uncompressed; HSET with production.conf's
# hash-max-listpack-value), and its encoding
sub same_as_hset {
    my $id = shift;
    my $key = "${P}r:$id";
    my $copy = "${P}copy:$id";
    my $was = main::redis_raw('CONFIG', 'GET', 'hash-max-listpack-value');
    main::redis_raw('CONFIG', 'SET', 'hash-max-listpack-value', '1024');
    main::redis_raw('CONFIG', 'SET', 'rdbcompression', 'no');
    main::redis_raw('DEL', $copy);
    main::redis_raw('HSET', $copy, @{ main::redis_raw('HGETALL', $key) });
    my @d = (main::redis_raw('DUMP', $key), main::redis_raw('DUMP', $copy));
    main::redis_raw('DEL', $copy);
    main::redis_raw('CONFIG', 'SET', 'rdbcompression', 'yes');
    main::redis_raw('CONFIG', 'SET', 'hash-max-listpack-value', $was->[1]);
    return (@d, main::redis_raw('OBJECT', 'ENCODING', $key));
}

# the record's first fields, in the order HSET had them, and their values:
# what the worker knows of the report (its time, status, token's hash)
sub head_ok {
    my ($a, $compat, $what) = @_;
    my @f = @{ main::redis_raw('HGETALL', "${P}r:$a->{id}") };
    my @names = map { $f[2 * $_] } 0 .. $#f / 2;
    my %f = @f;
    my @head = ('phone_hash', 'lat', 'lng', 'created_at', 'status',
                'token_hash', $compat ? () : 'ik', 'doc');
    Test::More::is("@names[0 .. $#head]", "@head", "$what: the fields in HSET's order");
    Test::More::is(join(' ', $f{lat} + 0, $f{lng} + 0, $f{status},
                        $f{phone_hash} =~ /^[0-9a-f]{64}$/ ? 'hex' : 'bad'),
                   '22.396 103.458 submitted hex', "$what: position, status, phone");
    Test::More::ok(abs($f{created_at} - time) < 30, "$what: created now");
    Test::More::is($f{token_hash}, substr(sha256_hex($a->{access_token}), 0, 32),
                   "$what: the token's hash");
}

# every title and text below: stored, the hash HSET would have made, and
# read back through the API with its token
sub check_all {
    my ($compat) = @_;
    my $long = 'Nước ngập sâu ở ngã tư, ' x 200;      # > 4096 bytes
    my @cases = (['127', 'x' x 30], ['128', 'y' x 30], ['-4096', 'z' x 30],
        ['4096', 'a' x 30], ['32768', 'b' x 30], ['-8388609', 'c' x 30],
        ['2147483648', 'd' x 30], ['-9223372036854775808', 'e' x 30],
        ['9223372036854775808', 'f' x 30], ['01', 'g' x 30],
        ['-0', 'h' x 30], ['0', 'i' x 30], ['1.5', 'j' x 30],
        ['Ổ gà', 'Ổ gà lớn trên đường Trần Hưng Đạo, gần số nhà 12'],
        ['Cây đổ', 'k' x 100], ['Ngập', $long]);
    for my $c (@cases) {
        my ($title, $text) = @$c;
        my ($s, $a) = main::post(@$c);
        Test::More::is($s, 201, "\"$title\": stored") or next;
        my ($dump, $hset, $enc) = main::same_as_hset($a->{id});
        if (length($text) < 1000) {
            Test::More::ok(defined $dump && $dump eq $hset,
                "\"$title\" (" . length($text) . " bytes): the record is "
                . "what HSET of its fields makes, byte for byte");
        } else {
            # (a value past hash-max-listpack-value: HSET makes a hash
            # table, RESTORE keeps the listpack; the fields are the same)
            my $key = "${P}r:$a->{id}";
            my %f = @{ main::redis_raw('HGETALL', $key) };
            Test::More::is(JSON::PP->new->decode($f{doc})->{content}, $text,
                "\"$title\" (" . length($text) . " bytes): its text whole "
                . "in the record");
        }
        Test::More::is($enc, 'listpack', "\"$title\": a listpack");
        my ($g, $b) = main::call('GET', "/api/v1/reports/$a->{id}",
                                 {'X-Report-Token' => $a->{access_token}});
        my $r = $g == 200 ? JSON::PP->new->decode($b) : {};
        Test::More::is("$g $r->{title} $r->{status}",
                       "200 $title submitted", "\"$title\": read back");
        Test::More::ok(defined $r->{content} && $r->{content} eq $text,
                       "\"$title\": its text read back whole");
        main::head_ok($a, $compat, "\"$title\"");
        my $ik = main::redis('HGET', "${P}r:$a->{id}", 'ik');
        Test::More::is($ik =~ /^[0-9a-f]{16}$/ ? 'ik' : 'none',
                       $compat ? 'none' : 'ik',
                       "\"$title\": the retry's proof as the setting says");
    }
}

run_tests();

__DATA__

=== TEST 1: the records RESTOREd are those HSET made, each integer width and each text length (pa_record_compat off)
--- init
main::fresh('laichau');
main::check_all(0);



=== TEST 2: the same, compat on (no ik, the idem: key)
--- init
main::fresh('laichau');
main::check_all(1);



=== TEST 3: Redis checking every payload deeply (sanitize-dump-payload yes) takes the records
--- init
main::fresh('laichau');
my ($s, $a) = main::redis_while(
    ['CONFIG', 'SET', 'sanitize-dump-payload', 'yes'],
    ['CONFIG', 'SET', 'sanitize-dump-payload', 'no'],
    sub { main::post('Đèn tín hiệu hỏng', 'Đèn giao thông ngã ba không sáng') });
Test::More::is($s, 201, 'stored');
my ($dump, $hset) = main::same_as_hset($a->{id});
Test::More::ok(defined $dump && $dump eq $hset, 'the hash HSET makes');



=== TEST 4: a Redis whose ACL refuses RESTORE: a JSON 503 with Retry-After, nothing of the report kept; once allowed, the retry is stored
--- init
main::fresh('laichau');
my $body = main::json_report('Cống thoát nước bị tắc trước chợ');
my $h = main::hd('Idempotency-Key' => 'acl-no-restore-1');
my ($s, $b, $hd) = main::redis_while(
    ['ACL', 'SETUSER', 'default', '-restore'],
    ['ACL', 'SETUSER', 'default', '+restore'],
    sub { main::call('POST', '/api/v1/reports', $h, $body) });
Test::More::is($s, 503, 'refused: 503');
Test::More::like($b, qr/"code":"unavailable"/, 'a JSON error');
Test::More::ok($hd->{'retry-after'}, 'Retry-After');
Test::More::is(main::reports(), 0, 'no record');
Test::More::is(main::redis('ZCARD', "${main::P}q:submitted") . ' '
               . main::redis('ZCARD', "${main::P}due"), '0 0',
               'nothing in the queue or the deadlines');
my @dup = grep { /:dup:/ } split /\n/, main::redis('KEYS', "${main::P}*");
Test::More::is(scalar(@dup), 0, 'no duplicate print left to refuse the retry');
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is($s2, 201, 'the retry once RESTORE is allowed: stored');
Test::More::is(main::reports(), 1, 'one report');
--- error_log
the Redis user must be allowed EVALSHA and the commands of the scripts, RESTORE too



=== TEST 5: Redis at its default hash-max-listpack-value (64): the record keeps the fields HSET set, as a listpack (RESTORE does not convert by a value's length; HSET made a hash table of 4.5 kB)
--- init
main::fresh('laichau');
my $was = main::redis_raw('CONFIG', 'GET', 'hash-max-listpack-value');
my $copy = "${main::P}copy";
my ($s, $a, $enc, $cenc, $f, $cf) = main::redis_while(
    ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
    ['CONFIG', 'SET', 'hash-max-listpack-value', $was->[1]],
    sub {
        my ($s, $a) = main::post('Rác thải',
            'Rác thải tồn đọng nhiều ngày ở đầu hẻm 14, bốc mùi khó chịu');
        my $key = "${main::P}r:$a->{id}";
        main::redis_raw('HSET', $copy, @{ main::redis_raw('HGETALL', $key) });
        my @r = ($s, $a,
                 main::redis_raw('OBJECT', 'ENCODING', $key),
                 main::redis_raw('OBJECT', 'ENCODING', $copy),
                 main::redis_raw('HGETALL', $key),
                 main::redis_raw('HGETALL', $copy));
        main::redis_raw('DEL', $copy);
        return @r;
    });
Test::More::is($s, 201, 'stored');
Test::More::is("$enc $cenc", 'listpack hashtable', 'a listpack; HSET makes a hash table');
my %a = @$f;
my %b = @$cf;
Test::More::is_deeply(\%a, \%b, 'the same fields and values');
my ($g) = main::call('GET', "/api/v1/reports/$a->{id}",
                     {'X-Report-Token' => $a->{access_token}});
Test::More::is($g, 200, 'read back');



=== TEST 6: a report with a photo (multipart) and an Open311 request: their records too are those HSET made, and read back
--- init
main::fresh('laichau');
my $B = $t::PaTest::Boundary;
my $parts = main::multipart(['content', 'Cột điện nghiêng sau mưa lớn'],
    ['lat', '22.396'], ['lng', '103.458'], ['category', 'traffic'],
    ['reporter_name', 'Lò Thị Hoa'], ['reporter_phone', '0912811111'],
    ['media', 'fresh-mm.jpg', 'image/jpeg']);
# (the fixture's photo was taken then: the test clock)
my ($s, $b) = main::call('POST', '/api/v1/reports',
    {'Content-Type' => "multipart/form-data; boundary=$B",
     'X-PA-Now' => '2026-01-22T10:00:00+07:00'}, $parts);
Test::More::is($s, 201, 'a report with a photo: stored');
my $a = JSON::PP->new->decode($b);
my ($dump, $hset) = main::same_as_hset($a->{id});
Test::More::ok(defined $dump && $dump eq $hset, 'its record: what HSET makes');
my %f = @{ main::redis_raw('HGETALL', "${main::P}r:$a->{id}") };
Test::More::like($f{media}, qr/[0-9a-f]{64}/, 'its photo named in the record');
my ($g, $gb) = main::call('GET', "/api/v1/reports/$a->{id}",
    {'X-Report-Token' => $a->{access_token},
     'X-PA-Now' => '2026-01-22T10:00:05+07:00'});
Test::More::like("$g $gb", qr/^200 .*"media":\[\{/s, 'read back with its photo');
my $o = "api_key=$main::Key&service_code=traffic&lat=22.40&long=103.46"
        . "&description=%C4%90%C3%A8n+h%E1%BB%8Fng&email=an%40example.vn";
my ($s2, $b2) = main::call('POST', '/open311/v2/requests.json',
    {'Content-Type' => 'application/x-www-form-urlencoded',
     'X-PA-Now' => '2026-01-22T10:01:00+07:00'}, $o);
Test::More::is($s2, 201, 'an Open311 request: stored');
my ($id) = $b2 =~ /"service_request_id":"([^"]+)"/;
($dump, $hset) = main::same_as_hset($id);
Test::More::ok(defined $dump && $dump eq $hset, 'its record: what HSET makes');
my %o = @{ main::redis_raw('HGETALL', "${main::P}r:$id") };
Test::More::like($o{doc}, qr/o311_client/, 'the client in its record');
my ($g2, $gb2) = main::call('GET', "/open311/v2/requests/$id.json?api_key=$main::Key",
    {'X-PA-Now' => '2026-01-22T10:01:05+07:00'});
Test::More::like("$g2 $gb2", qr/^200 .*"service_request_id":"\Q$id\E"/s,
                 'Open311 reads it back');
