package t::PaIdem;

# What the suites of the derived-id idempotency (t/062, t/078) share: HTTP
# through the running nginx from a block's init, a JSON report of a phone
# of its own, the reports stored, and the check that the retry's proof
# ("ik") is in no answer a caller can get.  Exported to main, where the
# blocks call them as main::call() and so on; reports() counts under the
# suite's own $main::P.

use strict;
use warnings;

use Exporter 'import';
use HTTP::Tiny;
use JSON::PP ();
use t::PaAccept ();

our @EXPORT = qw(idem_http idem_blocks call json_report hd reports no_ik $Json
                 $Key four_writes keyspace stored_once refused);

# the shipped Lai Châu 2026 profile, an Open311 client of key $Key, the
# test clock, and the suite's $more lines; a fresh province
our $Key = 'idem-city-app-0123456789abcdef';
sub idem_http {
    my ($more) = @_;
    open my $fh, '>', "$main::Data/open311-idem.keys" or die "keys: $!";
    print $fh "$Key cityapp 100r/m\n";
    close $fh;
    main::fresh('laichau');
    return t::PaAccept::shipped_http('laichau-2026',
        "    pa_open311_keys $main::Data/open311-idem.keys;\n" . ($more // ''));
}

# every block: its requests are its init's (the block's own request is
# the health check), its http{} lines $http->($block); the API and
# Open311's locations, and $more location lines; crit_ok => qr/^TEST 2:/:
# those blocks may log [crit] (t::PaTest's setting)
sub idem_blocks {
    my ($http, $more, %opt) = @_;
    t::PaTest::setting(
        %opt,
        prepare => sub {
            my $block = shift;
            $block->set_value('http_config', $http->($block));
            $block->set_value('request', "GET /api/v1/health\n");
            $block->set_value('error_code', 200);
        },
        main_config => $t::PaTest::Threads,
        config => t::PaTest::api() . <<'_EOC_' . ($more // ''));
    location /open311/v2/ {
        pa_api;
    }
_EOC_
}

# HTTP through the running nginx: (status, body, headers)
sub call {
    my ($method, $path, $h, $body) = @_;
    my $port = Test::Nginx::Util::server_port_for_client();
    my $res = HTTP::Tiny->new(timeout => 10)->request($method,
        "http://127.0.0.1:$port$path",
        {headers => $h, defined $body ? (content => $body) : ()});
    return ($res->{status}, $res->{content}, $res->{headers});
}

# a JSON report of its own phone (no duplicate rule in the way)
our $Phone = 0;
sub json_report {
    my ($text, $phone) = @_;
    return JSON::PP->new->canonical->encode({
        content => $text, lat => 22.396, lng => 103.458,
        category => 'traffic', reporter_name => 'Lò Văn Minh',
        reporter_phone => $phone // sprintf('09129%05d', ++$Phone)});
}

# JSON's header, and with more
our $Json = {'Content-Type' => 'application/json'};
sub hd { return {%$Json, @_} }

# the report hashes stored (not their sub-keys)
sub reports {
    return scalar grep { !/:r:.*:/ } split /\n/,
        main::redis('KEYS', "${main::P}r:*");
}

# The four writes the adversary suites see refused (t/209, t/211, t/212):
# a JSON submission, one with a photo, an IOC action on report $id and a
# token revocation, each of keys of its own ("$tag-json-0001", ...);
# [method, path, headers, body] by name
sub four_writes {
    my ($tag, $id) = @_;
    my $B = $t::PaTest::Boundary;
    return (
        json => ['POST', '/api/v1/reports',
                 hd('Idempotency-Key' => "$tag-json-0001"),
                 json_report('Ống nước vỡ trước chợ Tam Đường')],
        photo => ['POST', '/api/v1/reports',
                  {'Content-Type' => "multipart/form-data; boundary=$B",
                   'X-PA-Now' => '2026-01-22T10:00:00+07:00',
                   'Idempotency-Key' => "$tag-photo-0001"},
                  t::PaTest::multipart(['content', 'Hố ga mất nắp ở tổ 5'],
                      ['lat', '22.396'], ['lng', '103.458'],
                      ['category', 'traffic'],
                      ['reporter_name', 'Lò Thị Hoa'],
                      ['reporter_phone', '0912822222'],
                      ['media', 'fresh-mm.jpg', 'image/jpeg'])],
        action => ['POST', "/api/v1/reports/$id/actions",
                   hd('Authorization' => "Bearer $t::PaTest::T{ioc}",
                      'Idempotency-Key' => "$tag-act-0001"),
                   '{"action":"reject","reason":"duplicate",'
                   . '"message":"Trùng"}'],
        revoke => ['POST', '/api/v1/admin/tokens/revoke',
                   hd('Authorization' => "Bearer $t::PaTest::T{admin}"),
                   qq({"jti":"$tag-jti-0001"})],
    );
}

# the writes of four_writes() named in @$names, each sent and answered
# 503 unavailable with Retry-After, a JSON error
sub refused {
    my ($req, $names) = @_;
    for my $k (@$names) {
        my $ans = main::answer(main::send_http(@{$req->{$k}}));
        Test::More::is("$ans->{status} $ans->{code}", '503 unavailable',
                       "$k: 503 unavailable");
        Test::More::ok(defined $ans->{retry}, "$k: ... with Retry-After");
        Test::More::like($ans->{body}, qr/^\{"error":\{.*\}\s*\z/s,
                         "$k: ... a JSON error");
    }
}

# the suite's keys, each with its type and size, one a line: what a
# refused write must leave as it was (the counters of limits, metrics and
# abuse aside: a refused request still counts)
sub keyspace {
    my @keys = sort split /\n/, main::redis('KEYS', "${main::P}*");
    my %size = (hash => 'HLEN', zset => 'ZCARD', list => 'LLEN',
                stream => 'XLEN', set => 'SCARD');
    return join "\n", map {
        my $t = main::redis('TYPE', $_);
        "$_ $t " . main::redis($size{$t} // 'STRLEN', $_);
    } grep { !/:(?:metrics|rl|abuse):/ } @keys;
}

# the two submissions of four_writes() sent again, each twice: stored
# once, then replayed with the same answer; their ids by name
sub stored_once {
    my ($req) = @_;
    my ($n, %id) = (reports());
    for my $k (qw(json photo)) {
        my ($s1, $b1) = call(@{$req->{$k}});
        my ($s2, $b2) = call(@{$req->{$k}});
        Test::More::is("$s1 $s2", '201 201',
                       "$k: the retry stored, then replayed");
        Test::More::is($b2, $b1, "$k: ... the same answer");
        $id{$k} = $s1 == 201 ? JSON::PP->new->decode($b1)->{id} : undef;
    }
    Test::More::is(reports(), $n + 2, 'exactly two reports more');
    return %id;
}

# every answer a caller can get of report $id: none holds the proof
sub no_ik {
    my ($id, $tok, $ik) = @_;
    my $ioc = {Authorization => "Bearer $t::PaTest::T{ioc}"};
    my @seen;
    for my $get (["/api/v1/reports/$id", $ioc],
                 ["/api/v1/reports/$id", {'X-Report-Token' => $tok}],
                 ["/api/v1/reports/$id/history", $ioc],
                 ["/api/v1/queue", $ioc],
                 ["/api/v1/stats?period=year&year=2026&format=csv", $ioc],
                 ["/open311/v2/requests/$id.json?token=$tok", {}],
                 ["/open311/v2/requests.json?service_request_id=$id", {}],
                 ["/api/v1/public/reports/$id", {}],
                 ["/api/v1/public/reports?bbox=102,21,104,23", {}]) {
        my ($st, $body) = call('GET', $get->[0], $get->[1]);
        push @seen, "$get->[0] $st";
        Test::More::unlike($body,
                           qr/"ik"|\Q$ik\E|\Q@{[substr $ik, 0, 16]}\E/,
                           "no proof in GET $get->[0] ($st)");
    }
    return join ', ', @seen;
}

1;
