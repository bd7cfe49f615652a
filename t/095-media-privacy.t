# Media privacy: the originals only for those who may see the report
# (GET /api/v1/reports/{id}/media/{sha}, then the internal location), the
# public copies without metadata only while the report is public
# (/media/<id>/<sha>.jpg), never for videos, gone when the report is
# hidden or sent back.  One report (MP-1: a camera photo with GPS, a PNG
# with text chunks, a video; later a result photo) goes through its life
# with X-PA-Now; MP-2 stays unpublished.
#
# The public copies are made by ngx_pa_public_media_sync(), called from
# ngx_pa_action.c: until that call is there, the blocks marked "(public
# copy)" and the checks on the files are skipped.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use Compress::Zlib qw(crc32);
use Digest::MD5 qw(md5_hex);
use Digest::SHA qw(sha256_hex);
use File::Path qw(remove_tree);
use JSON::PP;

our $Servroot = $Data;

# is the sync wired into the workflow actions yet?
our $Wired = slurp("$ENV{TEST_NGINX_ROOT}/ngx_pa_module/ngx_pa_action.c")
    =~ /ngx_pa_public_media_sync\s*\(/ ? 1 : 0;

tokens(xdlead => ['leader', 'so-xd']);

# a fresh tenant and no copies of an earlier run
fresh('t_media_privacy');
remove_tree("$Servroot/media/public/MP-1", "$Servroot/media/public/MP-2");

# a PNG whose text chunk and trailing bytes must never be public
sub png_chunk {
    my ($type, $data) = @_;
    return pack('N', length $data) . $type . $data
        . pack('N', crc32($type . $data));
}

our $Png = do {
    my $png = slurp("$Fix/image.png");
    # signature (8) + IHDR (25): the text chunk goes right after IHDR
    substr($png, 0, 33)
        . png_chunk('tEXt', "Comment\0serial SN-PA-SECRET-42 22.396N")
        . substr($png, 33) . 'TRAILING-SECRET';
};

our %Media = (
    photo  => slurp("$Fix/fresh-mm.jpg"),      # camera EXIF, GPS
    png    => $Png,
    video  => slurp("$Fix/video.mp4"),
    result => slurp("$Fix/fresh-ii.jpg"),      # the agency's photo
    other  => slurp("$Fix/fresh-offset.jpg"),  # MP-2's photo
);
our %Sha = map { $_ => sha256_hex($Media{$_}) } keys %Media;
our %Md5 = map { $_ => md5_hex($Media{$_}) } keys %Media;

sub staff {
    return "Authorization: Bearer $T{$_[0]}"
           . ($_[1] ? "\nX-PA-Now: $_[1]" : '');
}
sub json_staff { staff(@_) . "\nContent-Type: application/json" }
sub act { "POST /api/v1/reports/MP-1/actions\n$_[0]" }
sub original { "GET /api/v1/reports/$_[0]/media/$Sha{$_[1]}" }
sub public { "GET /media/$_[0]/$Sha{$_[1]}" . ($_[2] // '.jpg') }

my $http_config = $Pool . workflow_http('t_media_privacy',
                                        'test-media-privacy');

my $media = <<'_EOC_';
    # originals, only through the API's checks
    location /pa-media-original/ {
        internal;
        alias $TEST_NGINX_PA_DATA/media/;
        aio threads=pa;
    }

    # the public copies without metadata
    location /media/ {
        alias $TEST_NGINX_PA_DATA/media/public/;
        aio threads=pa;
        types {
            image/jpeg jpg;
            image/png png;
        }
        default_type application/octet-stream;
        add_header Cache-Control "public, max-age=86400";
        add_header X-Content-Type-Options nosniff;
    }
_EOC_

setting(main_config => $Threads, http_config => $http_config,
        config => api() . $media,
        prepare => sub {
            my $block = shift;
            $block->set_value("skip_eval", "1: 1")
                if !$Wired && $block->name =~ /\(public copy\)/;
        });

run_tests();

# the files themselves: MP-1 is public again at the end, with the photo
# and the PNG only (the first result photo was replaced by a result
# without photos); MP-2 was never public
SKIP: {
    skip "ngx_pa_public_media_sync() is not called from ngx_pa_action.c", 12
        unless $Wired;

    my $dir = "$Servroot/media/public/MP-1";
    opendir my $dh, $dir or die "cannot open $dir: $!";
    my @files = sort grep { !/^\./ } readdir $dh;
    closedir $dh;

    is_deeply(\@files, [sort "$Sha{photo}.jpg", "$Sha{png}.png",
                         "$Sha{photo}.thumb.jpg", "$Sha{png}.thumb.jpg"],
              "the public copies of MP-1: its photo and its PNG only "
              . "(with their thumbnails)");
    ok(!-e "$Servroot/media/public/MP-2", "nothing of MP-2 is public");

    my @tmp = glob("$Servroot/media/tmp/public.*");
    is(scalar @tmp, 0, "no temp file of a public copy left") or diag("@tmp");

    my $jpg = "$dir/$Sha{photo}.jpg";
    my $meta = decode_json(scalar `exiftool -j -a -G1 '$jpg'`)->[0];
    my @leak = grep {
        !/^(?:ExifTool|System|SourceFile)/
        && /GPS|EXIF|IFD|XMP|MakerNotes|Samsung|Make|Model|Serial|Software
            |DateTime/xi
    } keys %$meta;
    is_deeply(\@leak, [], "exiftool finds no metadata in the public copy")
        or diag(join ', ', @leak);
    is($meta->{'File:FileType'}, 'JPEG', "the public copy is a JPEG");
    is(scalar `identify -format '%wx%h' '$jpg' 2>&1`,
       scalar `identify -format '%wx%h' '$Fix/fresh-mm.jpg' 2>&1`,
       "... a whole picture of the original's size");

    my $orig = decode_json(scalar `exiftool -j -a -G1 '$Fix/fresh-mm.jpg'`)
               ->[0];
    ok((grep { /GPS/ } keys %$orig), "(the original has GPS)");
    ok(-s $jpg < length $Media{photo},
       "the copy is smaller than the original");

    my $png = slurp("$dir/$Sha{png}.png");
    unlike($png, qr/tEXt|SECRET/, "the public PNG has no text chunk, no tail");
    like($png, qr/\A\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR/,
         "... starts as a PNG");
    like($png, qr/IEND\xae\x42\x60\x82\z/, "... ends at IEND");
    is(scalar `identify -format '%wx%h' '$dir/$Sha{png}.png' 2>&1`, '32x32',
       "... a whole picture");
}

__DATA__

=== TEST 1: MP-1 is submitted with a camera photo (GPS), a PNG with text, a video
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-22T09:00:00+07:00\nX-PA-Test-Id: MP-1\nX-PA-Test-Token: token-of-the-reporter-mp-1"
--- request eval
"POST /api/v1/reports\n" . ::multipart(
    ['content', 'Rác thải đổ trộm bên suối'],
    ['reporter_name', 'Lò Văn C'], ['reporter_phone', '0987000111'],
    ['media', 'IMG_0001.jpg', 'image/jpeg', $::Media{photo}],
    ['media', 'map.png', 'image/png', $::Media{png}],
    ['media', 'clip.mp4', 'video/mp4', $::Media{video}])
--- error_code: 201
--- response_body_like eval
qr/"id":"MP-1".*"media":\[\{"id":"$::Sha{photo}","type":"image\/jpeg".*"gps":\{"lat":22.396\d*,"lng":103.458\d*\}.*\{"id":"$::Sha{png}","type":"image\/png".*\{"id":"$::Sha{video}","type":"video\/mp4"/



=== TEST 2: MP-2 is submitted with another photo, and stays unpublished
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-22T09:05:00+07:00\nX-PA-Test-Id: MP-2\nX-PA-Test-Token: token-of-the-reporter-mp-2"
--- request eval
"POST /api/v1/reports\n" . ::multipart(
    ['content', 'Cây đổ trên đường lên bản'],
    ['reporter_name', 'Lò Thị D'], ['reporter_phone', '0987000222'],
    ['media', 'IMG_0002.jpg', 'image/jpeg', $::Media{other}])
--- error_code: 201
--- response_body_like: "id":"MP-2"



=== TEST 3: no credentials, or a token that does not verify: 401
--- more_headers eval
["", "Authorization: Bearer not-a-token", "Authorization: Basic eDp5"]
--- pipelined_requests eval
[::original('MP-1', 'photo'), ::original('MP-1', 'photo'),
 ::original('MP-2', 'other')]
--- error_code eval
[401, 401, 401]
--- response_body_like eval
[qr/"code":"unauthorized"/, qr/"code":"unauthorized"/,
 qr/"code":"unauthorized"/]



=== TEST 4: the reporter reads the original with its token: the bytes as sent
--- more_headers
X-Report-Token: token-of-the-reporter-mp-1
--- request eval
::original('MP-1', 'photo')
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
Cache-Control: private, no-store
X-Content-Type-Options: nosniff
Content-Disposition: inline
--- response_body_filters: md5_hex
--- response_body eval
$::Md5{photo}



=== TEST 5: ... and with ?token= (links sent by SMS), the video too
--- request eval
::original('MP-1', 'video') . '?token=token-of-the-reporter-mp-1'
--- error_code: 200
--- response_headers
Content-Type: video/mp4
Cache-Control: private, no-store
--- response_body_filters: md5_hex
--- response_body eval
$::Md5{video}



=== TEST 6: the IOC reads the original: with its EXIF and GPS
--- more_headers eval
::staff('ioc')
--- request eval
::original('MP-1', 'photo')
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
Cache-Control: private, no-store
X-Content-Type-Options: nosniff
Content-Disposition: inline
!X-Accel-Redirect
--- response_body_like eval
qr/\A\xFF\xD8.*Exif\0\0.*samsung.*SM-A525F/s



=== TEST 7: supervisor and admin read every report's originals
--- more_headers eval
[::staff('supervisor'), ::staff('admin')]
--- pipelined_requests eval
[::original('MP-1', 'png'), ::original('MP-2', 'other')]
--- error_code eval
[200, 200]
--- response_headers eval
["Content-Type: image/png", "Content-Type: image/jpeg"]
--- response_body eval
[$::Media{png}, $::Media{other}]



=== TEST 8: nobody else: agencies before dispatch, another report's token, a wrong token
--- more_headers eval
[::staff('xd'), ::staff('xdlead'), ::staff('coord'),
 "X-Report-Token: token-of-the-reporter-mp-2",
 "X-Report-Token: token-of-the-reporter-mp-9"]
--- pipelined_requests eval
[::original('MP-1', 'photo'), ::original('MP-1', 'photo'),
 ::original('MP-1', 'photo'), ::original('MP-1', 'photo'),
 ::original('MP-1', 'photo')]
--- error_code eval
[404, 404, 404, 404, 404]
--- response_body eval
['{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
']



=== TEST 9: only the report's own media: another report's photo, unknown or malformed shas
--- more_headers eval
[::staff('ioc'), ::staff('ioc'), ::staff('ioc'), ::staff('ioc'),
 ::staff('ioc')]
--- pipelined_requests eval
[::original('MP-1', 'other'),
 "GET /api/v1/reports/MP-1/media/" . ('0' x 64),
 "GET /api/v1/reports/MP-1/media/" . uc($::Sha{photo}),
 "GET /api/v1/reports/MP-1/media/..%2F..%2F" . $::Sha{photo},
 "GET /api/v1/reports/MP-404/media/$::Sha{photo}"]
--- error_code eval
[404, 404, 404, 404, 404]
--- response_body_like eval
[qr/"no such media"/, qr/"no such media"/, qr/"no such media"/,
 qr/"not_found"/, qr/"no such report"/]



=== TEST 10: the internal location is not reachable from outside
--- request eval
"GET /pa-media-original/" . substr($::Sha{photo}, 0, 2) . "/$::Sha{photo}"
--- error_code: 404



=== TEST 11: nothing is public before publishing
--- pipelined_requests eval
[::public('MP-1', 'photo'), ::public('MP-2', 'other'),
 "GET /media/$::Sha{photo}.jpg", "GET /media/MP-1/"]
--- error_code eval
[404, 404, 404, 404]
--- response_body_unlike eval
[qr/\xFF\xD8/, qr/\xFF\xD8/, qr/\xFF\xD8/, qr/\xFF\xD8/]



=== TEST 12: the IOC verifies, receives, dispatches to so-xd
--- more_headers eval
[::json_staff('ioc', '2026-01-22T10:00:00+07:00'),
 ::json_staff('ioc', '2026-01-22T10:10:00+07:00'),
 ::json_staff('ioc', '2026-01-22T10:20:00+07:00')]
--- pipelined_requests eval
[::act('{"action":"verify"}'), ::act('{"action":"receive"}'),
 ::act('{"action":"dispatch","agencies":["so-xd"]}')]
--- error_code eval
[200, 200, 200]



=== TEST 13: the assigned agency's handler and leader read the originals
--- more_headers eval
[::staff('xd'), ::staff('xdlead')]
--- pipelined_requests eval
[::original('MP-1', 'photo'), ::original('MP-1', 'png')]
--- error_code eval
[200, 200]
--- response_body_filters: md5_hex
--- response_body eval
[$::Md5{photo}, $::Md5{png}]



=== TEST 14: ... another agency's handler or coordinator does not, nor so-xd another report's
--- more_headers eval
[::staff('nnmt'), ::staff('coord'), ::staff('xd')]
--- pipelined_requests eval
[::original('MP-1', 'photo'), ::original('MP-1', 'photo'),
 ::original('MP-2', 'other')]
--- error_code eval
[404, 404, 404]
--- response_body eval
['{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
']



=== TEST 15: so-xd accepts, then resolves with a photo of the handled site
--- more_headers eval
[::json_staff('xd', '2026-01-22T11:00:00+07:00'),
 ::staff('xd', '2026-01-23T11:00:00+07:00') . "\n$::Multipart"]
--- pipelined_requests eval
[::act('{"action":"accept"}'),
 "POST /api/v1/reports/MP-1/actions\n" . ::multipart(
        ['payload', '{"action":"resolve","summary":"Đã thu gom rác.","salutation":"Ông"}'],
        ['media', 'done.jpg', 'image/jpeg', $::Media{result}])]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr/"status":"in_progress"/,
 qr/"status":"under_review".*"result":\{"agency":"so-xd".*"media":\[\{"id":"$::Sha{result}"/]



=== TEST 16: the result's photo is one of the report's media: the reporter and the IOC read it
--- more_headers eval
["X-Report-Token: token-of-the-reporter-mp-1", ::staff('ioc')]
--- pipelined_requests eval
[::original('MP-1', 'result'), ::original('MP-1', 'result')]
--- error_code eval
[200, 200]
--- response_body_filters: md5_hex
--- response_body eval
[$::Md5{result}, $::Md5{result}]



=== TEST 17: under review: still nothing public
--- pipelined_requests eval
[::public('MP-1', 'photo'), ::public('MP-1', 'result')]
--- error_code eval
[404, 404]



=== TEST 18: the IOC publishes (the public copies made in the thread pool)
--- more_headers eval
::json_staff('ioc', '2026-01-23T14:00:00+07:00')
--- request eval
::act('{"action":"publish"}')
--- error_code: 200
--- response_body_like: "status":"resolved".*"published":true
--- error_log eval
[qr/run task #\d+ in thread pool "pa"/, 'pa: thread job done']



=== TEST 19: (public copy) the photo: a JPEG without EXIF, GPS or camera data
--- request eval
::public('MP-1', 'photo')
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
Cache-Control: public, max-age=86400
X-Content-Type-Options: nosniff
--- response_body_unlike eval
qr/Exif|GPS|samsung|SM-A525F|A525FXXS4CWF1|2026:01:22|\A(?!\xFF\xD8)/



=== TEST 20: (public copy) the result photo too
--- request eval
::public('MP-1', 'result')
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
--- response_body_unlike eval
qr/Exif|GPS|samsung|SM-A525F|2026:01:22|\A(?!\xFF\xD8)/



=== TEST 21: (public copy) the PNG: no text chunk, nothing after IEND
--- request eval
::public('MP-1', 'png', '.png')
--- error_code: 200
--- response_headers
Content-Type: image/png
X-Content-Type-Options: nosniff
--- response_body_unlike eval
qr/tEXt|SECRET|\A(?!\x89PNG)/



=== TEST 22: videos are never public; other names, the report's folder, the bare sha: 404
--- pipelined_requests eval
[::public('MP-1', 'video', '.mp4'), ::public('MP-1', 'video'),
 ::public('MP-1', 'photo', ''), "GET /media/$::Sha{photo}.jpg",
 ::public('MP-1', 'other'), ::public('MP-2', 'other')]
--- error_code eval
[404, 404, 404, 404, 404, 404]



=== TEST 23: no listing of a report's copies
--- pipelined_requests eval
["GET /media/MP-1/", "GET /media/"]
--- error_code_like eval
[qr/^40[34]$/, qr/^40[34]$/]
--- response_body_unlike eval
[qr/$::Sha{photo}/, qr/MP-1/]



=== TEST 24: the IOC hides the report
--- more_headers eval
::json_staff('ioc', '2026-01-24T09:00:00+07:00')
--- request eval
::act('{"action":"hide","reason":"Ảnh có người dân"}')
--- error_code: 200



=== TEST 25: hidden: no public copy any more; staff and the reporter keep the originals
--- more_headers eval
["", "", ::staff('ioc'), "X-Report-Token: token-of-the-reporter-mp-1"]
--- pipelined_requests eval
[::public('MP-1', 'photo'), ::public('MP-1', 'png', '.png'),
 ::original('MP-1', 'photo'), ::original('MP-1', 'photo')]
--- error_code eval
[404, 404, 200, 200]



=== TEST 26: the IOC shows it again
--- more_headers eval
::json_staff('ioc', '2026-01-24T10:00:00+07:00')
--- request eval
::act('{"action":"unhide","reason":"Đã xem lại"}')
--- error_code: 200



=== TEST 27: (public copy) public again
--- pipelined_requests eval
[::public('MP-1', 'photo'), ::public('MP-1', 'png', '.png')]
--- error_code eval
[200, 200]
--- response_body_unlike eval
[qr/Exif|GPS|samsung/, qr/tEXt|SECRET/]



=== TEST 28: the IOC sends the result back: no public copy any more
--- more_headers eval
[::json_staff('ioc', '2026-01-24T11:00:00+07:00'), "", ""]
--- pipelined_requests eval
[::act('{"action":"review_return","message":"Thiếu ảnh hiện trường sau xử lý."}'),
 ::public('MP-1', 'photo'), ::public('MP-1', 'result')]
--- error_code eval
[200, 404, 404]



=== TEST 29: resolved again without a result photo, published again
--- more_headers eval
[::json_staff('xd', '2026-01-24T15:00:00+07:00'),
 ::json_staff('ioc', '2026-01-24T16:00:00+07:00')]
--- pipelined_requests eval
[::act('{"action":"resolve","summary":"Đã thu gom và rào lại.","salutation":"Ông"}'),
 ::act('{"action":"publish"}')]
--- error_code eval
[200, 200]



=== TEST 30: (public copy) the report's photos are public again, the old result photo is not
--- pipelined_requests eval
[::public('MP-1', 'photo'), ::public('MP-1', 'png', '.png'),
 ::public('MP-1', 'result')]
--- error_code eval
[200, 200, 404]
