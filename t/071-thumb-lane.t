# The thumbnails' lane (ngx_pa_thumb_lane.c): a worker makes its
# thumbnails one at a time once no upload has been worked on for a moment,
# so a burst of photo reports is answered at the pace of the uploads, not
# of the decoding.  What a user sees: every report of the burst gets its
# 201, and every photo its thumbnail afterwards, none lost.  (Those still
# waiting when a worker exits are made first: t/024 and t/028, whose
# nginx stops right after the upload, failed when the lane dropped them.)
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use Digest::SHA qw(sha256_hex);
use Time::HiRes ();

fresh('t_thumb_lane');

# four different photos: large.jpg (800x600 of noise, EXIF, GPS) with its
# own EXIF ImageUniqueID each, written by exiftool, as phones differ
our @Photo;
for my $i (1 .. 4) {
    my $f = "$Data/burst-$i.jpg";
    system('exiftool', '-q', '-q', '-o', $f, '-ImageUniqueID=' . ($i x 32),
           "$Fix/large.jpg") == 0 or die "exiftool failed for $f\n";
    push @Photo, slurp($f);
}
our @Sha = map { sha256_hex($_) } @Photo;
die "the burst's photos are not all different\n"
    unless keys %{{ map { $_ => 1 } @Sha }} == 4;

sub store { my $s = $Sha[$_[0]]; "$Data/media/" . substr($s, 0, 2) . "/$s" }

sub report {
    my $i = shift;
    return "POST /api/v1/reports\n" . multipart(
        ['content', "Cây đổ chắn ngang đường, ảnh $i"],
        ['reporter_name', 'Lò Thị H'],
        ['reporter_phone', sprintf('09870005%02d', $i)],
        ['media', "IMG_000$i.jpg", 'image/jpeg', $Photo[$i]]);
}

sub thumb { "GET /api/v1/reports/BL-$_[0]/media/$Sha[$_[0]]?size=thumb" }

setting(main_config => $Threads, config => api() . originals(),
        http_config => media_http('t_thumb_lane'));

run_tests();

__DATA__

=== TEST 1: a burst of four photo reports on one connection: each answered 201
--- more_headers eval
[map { "$::Multipart\nX-PA-Now: 2026-01-22T09:00:00+07:00\nX-PA-Test-Id: BL-$_\nX-PA-Test-Token: token-of-the-reporter-bl-$_" } 0 .. 3]
--- pipelined_requests eval
[map { ::report($_) } 0 .. 3]
--- error_code eval
[201, 201, 201, 201]
--- response_body_like eval
['"id":"BL-0"', '"id":"BL-1"', '"id":"BL-2"', '"id":"BL-3"']



=== TEST 2: afterwards every photo has its thumbnail, none lost
--- init
# made after the burst, one at a time: waited for (a loaded machine is slow)
for (1 .. 400) {
    last unless grep { !-f main::store($_) . '.thumb.jpg' } 0 .. 3;
    Time::HiRes::sleep(0.05);
}
--- more_headers eval
[map { "X-Report-Token: token-of-the-reporter-bl-$_" } 0 .. 3]
--- pipelined_requests eval
[map { ::thumb($_) } 0 .. 3]
--- error_code eval
[200, 200, 200, 200]
--- response_headers eval
[("Content-Type: image/jpeg") x 4]
--- response_body_like eval
[(qr/\A\xFF\xD8(?!.*(?:Exif|GPS)).{1000,40000}\z/s) x 4]
