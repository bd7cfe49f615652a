# Issue 15: a public photo whose copy is missing (deleted from disk, or the
# disk was full at publish) answered 404 for ever.  The public location
# falls back to the module (error_page 404 = @pa_public_copy, as dev.conf
# and production.conf have it), which makes the copy again from the
# private store in the thread pool and serves the URL: 200, the same
# bytes as the copy made at publish.  A URL no public report has stays a
# 404, and a hidden report's copy is not made again.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use Digest::MD5 qw(md5_hex);
use Digest::SHA qw(sha256_hex);

tokens();
fresh('t_pcopy');

our $Photo = slurp("$Fix/fresh-mm.jpg");     # camera EXIF and GPS
our $Sha = sha256_hex($Photo);
our $Url = "/media/PX-1/$Sha.jpg";
our $File = "$Data/media/public/PX-1/$Sha.jpg";

# The copy made at publish: its MD5 kept, then deleted from disk (the
# block's init, which runs after the blocks before); a response is
# compared with it by a filter (a sub, run on the response).
our $Taken;

sub take_copy {
    $Taken = md5_hex(slurp($File));
    unlink $File or die "cannot delete $File: $!";
}

sub as_taken {
    my $md5 = md5_hex(shift);
    return $md5 eq $Taken ? 'the copy made at publish'
                          : "md5 $md5, the copy made at publish: $Taken";
}

sub staff { "Authorization: Bearer $T{$_[0]}\nX-PA-Now: $_[1]\n"
            . "Content-Type: application/json" }
sub act { "POST /api/v1/reports/PX-1/actions\n$_[0]" }

setting(main_config => $Threads,
        http_config => $Pool . workflow_http('t_pcopy', 'test-public-copy'),
        config => api() . <<'_EOC_');
    # the public copies, as dev.conf has them
    location /media/ {
        alias $TEST_NGINX_PA_DATA/media/public/;
        aio threads=pa;
        types {
            image/jpeg jpg;
            image/png png;
        }
        default_type application/octet-stream;
        add_header Cache-Control "public, max-age=86400";
        error_page 404 = @pa_public_copy;
    }

    location @pa_public_copy {
        pa_api;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: PX-1 with a camera photo, handled and published: its public copy is made
--- more_headers eval
["$::Multipart\nX-PA-Now: 2026-01-22T09:00:00+07:00\nX-PA-Test-Id: PX-1\nX-PA-Test-Token: token-of-the-reporter-px-1",
 ::staff('ioc', '2026-01-22T10:00:00+07:00'), ::staff('ioc', '2026-01-22T10:00:00+07:00'),
 ::staff('ioc', '2026-01-22T10:00:00+07:00'), ::staff('xd', '2026-01-22T11:00:00+07:00'),
 ::staff('xd', '2026-01-22T15:00:00+07:00'), ::staff('ioc', '2026-01-23T09:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . ::multipart(
    ['content', 'Rác thải đổ trộm bên suối'],
    ['reporter_name', 'Lò Văn C'], ['reporter_phone', '0987000151'],
    ['media', 'IMG_0001.jpg', 'image/jpeg', $::Photo]),
 ::act('{"action":"verify"}'), ::act('{"action":"receive"}'),
 ::act('{"action":"dispatch","agencies":["so-xd"]}'),
 ::act('{"action":"accept"}'),
 ::act('{"action":"resolve","summary":"Đã thu gom rác.","salutation":"Ông"}'),
 ::act('{"action":"publish"}')]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"PX-1"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched"', '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*"published":true']



=== TEST 2: the copy deleted from disk: the first read makes it again, 200 with the same bytes and the location's headers
--- init
main::take_copy();
Test::More::ok(!-e $main::File, 'the copy is gone from disk');
--- request eval
"GET $::Url"
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
Cache-Control: public, max-age=86400
--- response_body_filters eval
\&main::as_taken
--- response_body chomp
the copy made at publish
--- error_log eval
qr/public copy of \Q$::Sha\E of report PX-1 is missing, making it again/



=== TEST 3: it is on disk again (later reads are static files); a sha the report does not have, another id, a bad name: 404 in the API's JSON, nothing made
--- init
Test::More::ok(-s $main::File, 'the copy is on disk again');
--- pipelined_requests eval
["GET $::Url", "GET /media/PX-1/" . ('ab' x 32) . ".jpg",
 "GET /media/PX-9/$::Sha.jpg", "GET /media/PX-1/$::Sha.gif"]
--- error_code eval
[200, 404, 404, 404]
--- response_body_like eval
['\A\xFF\xD8', '"code":"not_found"', '"code":"not_found"',
 '"code":"not_found"']
--- no_error_log
making it again



=== TEST 4: hidden, the report's copies go and are not made again on a read
--- more_headers eval
[::staff('ioc', '2026-01-23T10:00:00+07:00'), '']
--- pipelined_requests eval
[::act('{"action":"hide","reason":"Ảnh lộ biển số xe"}'), "GET $::Url"]
--- error_code eval
[200, 404]
--- response_body_like eval
['"hidden":true', '"code":"not_found"']
--- no_error_log
making it again
