# Thumbnails (issue 16): a photo entering the store gets a 320 px JPEG
# beside it, made in the thread pool (libgd) just after the 201; staff
# and the reporter load it with ?size=thumb, and a published report's
# public view names its public copy (thumb_url).  A thumbnail carries no
# EXIF, so no GPS.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use Digest::SHA qw(sha256_hex);
use File::Path qw(remove_tree);
use JSON::PP;

fresh('t_thumbs');
remove_tree("$Data/media/public/TH-1");

our %Media = (photo => slurp("$Fix/large.jpg"),      # 800x600, EXIF, GPS
              png   => slurp("$Fix/image.png"),      # 32x32
              video => slurp("$Fix/video.mp4"));
our $Stray = 'ef' . ('0' x 62);      # a blob no report names
our %Sha = map { $_ => sha256_hex($Media{$_}) } keys %Media;

sub staff {
    return "Authorization: Bearer $T{$_[0]}"
           . ($_[1] ? "\nX-PA-Now: $_[1]\nContent-Type: application/json"
                    : '');
}
sub act { "POST /api/v1/reports/TH-1/actions\n$_[0]" }
sub thumb { "GET /api/v1/reports/TH-1/media/$Sha{$_[0]}?size=thumb" }
sub store { my $s = $Sha{$_[0]}; "$Data/media/" . substr($s, 0, 2) . "/$s" }

setting(main_config => $Threads, config => api() . <<'_EOC_', http_config => <<'_EOC_');
    location /pa-media-original/ {
        internal;
        alias $TEST_NGINX_PA_DATA/media/;
    }
    location /media/ {
        alias $TEST_NGINX_PA_DATA/media/public/;
        types { image/jpeg jpg; image/png png; }
    }
_EOC_
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_thumbs;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_sla verify 1d;
    pa_sla receive 1d;
    pa_sla dispatch 1d;
    pa_sla accept 1d;
    pa_sla resolve 5d;
    pa_sla publish 1d;
    pa_test_clock on;
    pa_media_orphan_grace 1h;
_EOC_

run_tests();

# the files: the right size, a JPEG, no metadata
sub meta { decode_json(scalar `exiftool -j -a -G1 '$_[0]'`)->[0] }
sub leaks {
    my $m = shift;
    return grep { !/^(?:ExifTool|System|SourceFile)/
                  && /GPS|EXIF|IFD|XMP|MakerNotes|Make|Model|Software|DateTime/i }
           keys %$m;
}

my $t = store('photo') . '.thumb.jpg';
ok(-f $t, "the photo's thumbnail is in the store");
is(scalar `identify -format '%m %wx%h' '$t' 2>&1`, 'JPEG 320x240',
   "... a JPEG of 320 px, the photo's proportions");
ok((grep { /GPS/ } keys %{ meta("$Fix/large.jpg") }), "(the photo has GPS)");
is_deeply([leaks(meta($t))], [], "... and the thumbnail no metadata at all");
ok(-s $t < length($Media{photo}) / 4, "... and is small");
is(scalar `identify -format '%wx%h' '${\ store('png')}.thumb.jpg' 2>&1`,
   '32x32', "a small PNG's thumbnail keeps its size (never enlarged)");
ok(!-e store('video') . '.thumb.jpg', "a video gets no thumbnail");

ok(!-e "$Data/media/ef/$Stray", "an orphan blob swept from the store ...");
ok(!-e "$Data/media/ef/$Stray.thumb.jpg", "... takes its thumbnail with it");

my $p = "$Data/media/public/TH-1/$Sha{photo}.thumb.jpg";
ok(-f $p, "the published photo's public thumbnail exists");
is_deeply([leaks(meta($p))], [], "... without metadata");

__DATA__

=== TEST 1: a report with an 800x600 camera photo, a PNG and a video
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-22T09:00:00+07:00\nX-PA-Test-Id: TH-1\nX-PA-Test-Token: token-of-the-reporter-th-1"
--- request eval
"POST /api/v1/reports\n" . ::multipart(
    ['content', 'Sạt lở taluy dương trên quốc lộ'],
    ['reporter_name', 'Lò Văn T'], ['reporter_phone', '0987000333'],
    ['media', 'IMG_0001.jpg', 'image/jpeg', $::Media{photo}],
    ['media', 'map.png', 'image/png', $::Media{png}],
    ['media', 'clip.mp4', 'video/mp4', $::Media{video}])
--- error_code: 201
--- response_body_like: "id":"TH-1"



=== TEST 2: staff and the reporter load the thumbnail, not the original: a small JPEG
--- init
# made by a background job after the 201 (t/028): waited for, not raced
for (1 .. 200) {
    last if -f main::store('photo') . '.thumb.jpg'
            && -f main::store('png') . '.thumb.jpg';
    select undef, undef, undef, 0.05;
}
--- more_headers eval
[::staff('ioc'), "X-Report-Token: token-of-the-reporter-th-1"]
--- pipelined_requests eval
[::thumb('photo'), ::thumb('photo')]
--- error_code eval
[200, 200]
--- response_headers eval
["Content-Type: image/jpeg\nCache-Control: private, no-store",
 "Content-Type: image/jpeg\nCache-Control: private, no-store"]
--- response_body_like eval
[qr/\A\xFF\xD8(?!.*(?:Exif|GPS)).{1000,40000}\z/s, qr/\A\xFF\xD8.{1000,40000}\z/s]



=== TEST 3: a video has no thumbnail: 404; nobody without rights gets one either
--- more_headers eval
[::staff('ioc'), ::staff('nnmt'), ""]
--- pipelined_requests eval
[::thumb('video'), ::thumb('photo'), ::thumb('photo')]
--- error_code eval
[404, 404, 401]
--- response_body_like eval
['"message":"no thumbnail of this media"', '"not_found"', '"unauthorized"']



=== TEST 4: handled and published: the public view names each photo's thumbnail
--- more_headers eval
[::staff('ioc', '2026-01-22T10:00:00+07:00'), ::staff('ioc', '2026-01-22T10:10:00+07:00'),
 ::staff('ioc', '2026-01-22T10:20:00+07:00'), ::staff('xd', '2026-01-22T11:00:00+07:00'),
 ::staff('xd', '2026-01-23T11:00:00+07:00'), ::staff('ioc', '2026-01-23T14:00:00+07:00'), '']
--- pipelined_requests eval
[::act('{"action":"verify"}'), ::act('{"action":"receive"}'),
 ::act('{"action":"dispatch","agencies":["so-xd"]}'), ::act('{"action":"accept"}'),
 ::act('{"action":"resolve","summary":"Đã dọn xong.","salutation":"Ông"}'),
 ::act('{"action":"publish"}'), "GET /api/v1/public/reports/TH-1"]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['', '', '', '', '', '"published":true',
 qr{"media":\[\{"id":"$::Sha{photo}","type":"image/jpeg","url":"/media/TH-1/$::Sha{photo}.jpg","thumb_url":"/media/TH-1/$::Sha{photo}.thumb.jpg"\}}]



=== TEST 5: the public thumbnail is served as a JPEG
--- request eval
"GET /media/TH-1/$::Sha{photo}.thumb.jpg"
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
--- response_body_like eval
qr/\A\xFF\xD8(?!.*(?:Exif|GPS)).*\z/s



=== TEST 6: an orphan blob the store sweep removes takes its thumbnail with it; the referenced keep theirs
--- init
mkdir "$t::PaTest::Data/media/ef";
for my $f ($main::Stray, "$main::Stray.thumb.jpg") {
    open my $fh, '>', "$t::PaTest::Data/media/ef/$f" or die "$f: $!";
    print $fh "nobody's\n";
    close $fh;
    utime time - 7200, time - 7200, "$t::PaTest::Data/media/ef/$f";
}
utime time - 7200, time - 7200, main::store('photo'), main::store('photo') . '.thumb.jpg';
--- more_headers
X-PA-Now: 2026-01-24T10:00:00+07:00
--- request
POST /api/v1/admin/sweep?media=1
--- error_code: 200
--- response_body_like: "media_removed":1\}$
