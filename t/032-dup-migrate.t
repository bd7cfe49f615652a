# A province upgrading from before the duplicate buckets (issue 12.4) keeps
# open reports whose prints are in the old one-hash-per-phone layout,
# dup:<64 hex phone_hash>, which a submission no longer reads.  The
# sweeper moves them into the buckets in the background (sweep.lua, a SCAN
# step per call, its cursor in dup:cursor): after a sweep the same text
# from that phone is refused as a duplicate again, a closed report's print
# is dropped (no duplicate), a print the bucket already has is newer and
# wins, and the old keys are gone.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use HTTP::Tiny;
use Digest::SHA qw(sha256_hex);

life('laichau-2026', 't_dupm', ioc => ['ioc']);

our $P = 'pa:{t_dupm}:';

# plain ASCII, lower case, single spaces: the print is the text's SHA-256
our @Text = ('duong ngap nuoc truoc cong cho',        # R-A, submitted
             'den duong tat ca tuan o ngo 5',          # OLD-1, open
             'cay do chan loi vao truong hoc');        # OLD-2, resolved

our $Body = '{"content":"%s","category":"traffic","lat":22.396,'
    . '"lng":103.458,"reporter_name":"Lo Van A","reporter_phone":"0912000001"}';

sub submit {
    my ($id, $now, $text) = @_;
    my $port = Test::Nginx::Util::server_port_for_client();
    my $res = HTTP::Tiny->new->post("http://127.0.0.1:$port/api/v1/reports", {
        headers => {'Content-Type' => 'application/json',
                    'X-PA-Now' => $now, 'X-PA-Test-Id' => $id},
        content => sprintf($Body, $text)});
    die "submit $id: $res->{status} $res->{content}\n"
        unless $res->{status} == 201;
}

sub field {            # the bucket's field of a text print of phone $ph
    my ($ph, $text) = @_;
    return substr($ph, 0, 32) . ':c:' . substr(sha256_hex($text), 0, 32);
}

run_tests();

__DATA__

=== TEST 1: an earlier version's prints of an open and a closed report, in dup:<phone_hash>, among many other keys
--- init
main::submit('R-A', '2026-02-02T08:00:00+07:00', $::Text[0]);
my $ph = main::redis('HGET', "${main::P}r:R-A", 'phone_hash');
Test::More::like($ph, qr/^[0-9a-f]{64}$/, 'the phone hash of the record');
my $b = "${main::P}dup:" . substr($ph, 0, 4);
Test::More::is(main::redis('HGET', $b, main::field($ph, $::Text[0])), 'R-A',
               'the new print in its bucket, as the test computes it');
main::redis('HSET', "${main::P}r:OLD-1", 'id', 'OLD-1',
            'status', 'in_progress', 'phone_hash', $ph,
            'created_at', '1769990000');
main::redis('HSET', "${main::P}r:OLD-2", 'id', 'OLD-2',
            'status', 'resolved', 'phone_hash', $ph,
            'created_at', '1769980000');
main::redis('HSET', "${main::P}r:OLD-3", 'id', 'OLD-3',
            'status', 'in_progress', 'phone_hash', $ph,
            'created_at', '1769970000');
main::redis('HSET', "${main::P}dup:$ph",
            'c:' . Digest::SHA::sha256_hex($::Text[1]), 'OLD-1',
            'c:' . Digest::SHA::sha256_hex($::Text[2]), 'OLD-2',
            'c:' . Digest::SHA::sha256_hex($::Text[0]), 'OLD-3');
# other phones' old keys, and enough other keys that the walk takes
# several SCAN steps
main::redis('EVAL', q{
    for i = 1, 40 do
        local ph = redis.sha1hex('phone ' .. i) .. string.rep('0', 24)
        redis.call('HSET', ARGV[1] .. 'dup:' .. ph, 'c:' .. string.rep('a', 64),
                   'GONE-' .. i)
    end
    for i = 1, 5000 do
        redis.call('SET', ARGV[1] .. 'filler:' .. i, i)
    end
}, '0', $main::P);
Test::More::is(main::redis('HGET', $b, main::field($ph, $::Text[1])), '',
               "OLD-1's print is not in the bucket yet");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: a sweep moves them
--- more_headers
X-PA-Now: 2026-02-02T09:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200



=== TEST 3: ... the open report's print into the bucket, the closed one's dropped, the newer kept, old keys gone
--- init
my $ph = main::redis('HGET', "${main::P}r:R-A", 'phone_hash');
my $b = "${main::P}dup:" . substr($ph, 0, 4);
Test::More::is(main::redis('HGET', $b, main::field($ph, $::Text[1])), 'OLD-1',
               "OLD-1's print moved");
Test::More::is(main::redis('HGET', $b, main::field($ph, $::Text[2])), '',
               "OLD-2 is resolved: its print is no duplicate, dropped");
Test::More::is(main::redis('HGET', $b, main::field($ph, $::Text[0])), 'R-A',
               "the bucket's newer print wins over OLD-3's");
Test::More::is(main::redis('EXISTS', "${main::P}dup:$ph"), '0',
               'the old key is deleted');
Test::More::is(main::redis('EVAL', q{
    local n = 0
    for _, k in ipairs(redis.call('KEYS', ARGV[1] .. 'dup:*')) do
        if #k == #ARGV[1] + 4 + 64 then n = n + 1 end
    end
    return n
}, '0', $main::P), '0', 'no old dup:<phone_hash> key left of 41');
Test::More::is(main::redis('GET', "${main::P}dup:cursor"), 'parked',
               'both walks are done (the old keys, then the buckets): later '
               . 'sweeps do not scan again');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 4: the same text as the open OLD-1 from that phone: 409 duplicate
--- more_headers eval
main::h('', '2026-02-02T10:00:00+07:00') . "\nX-PA-Test-Id: R-B"
--- request eval
"POST /api/v1/reports\n" . sprintf($::Body, '  Den duong  TAT ca tuan o ngo 5 ')
--- error_code: 409
--- response_body_like: "code":"duplicate".*OLD-1



=== TEST 5: the text of the resolved OLD-2 is a new report
--- more_headers eval
main::h('', '2026-02-02T10:05:00+07:00') . "\nX-PA-Test-Id: R-C"
--- request eval
"POST /api/v1/reports\n" . sprintf($::Body, $::Text[2])
--- error_code: 201
--- response_body_like: "id":"R-C"
