# The orphan sweep of the media store (issue 11.2; POST /api/v1/admin/sweep
# ?media=1 in test-clock mode, once a day on the timer): a blob no report
# references and older than pa_media_orphan_grace is removed, a referenced
# or younger one stays; a report's photo goes once retention archived the
# report, its public copies with the report.  Media and archive work in
# the thread pool.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h act);
use Digest::SHA qw(sha256_hex);

our $Media = "$ENV{TEST_NGINX_PA_DATA}/media";
our $Old = time() - 7200;

fresh('t_orph');

# where the store keeps a blob
sub blob {
    my $hex = shift;
    return "$Media/" . substr($hex, 0, 2) . "/$hex";
}

our $Photo = sha256_hex(t::PaTest::slurp("$Fix/fresh-mm.jpg"));
our $Kept = sha256_hex(t::PaTest::slurp("$Fix/nogps.jpg"));
our $Orphan = 'ab' . ('0' x 62);
our $Young = 'cd' . ('0' x 62);

setting(more_headers => "$Multipart", main_config => $Threads,
        http_config => <<'_EOC_');
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_orph;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_retention 5y;
    pa_archive_dir $TEST_NGINX_PA_DATA/archive-orphans;
    pa_media_orphan_grace 1h;
    pa_test_clock on;
_EOC_

run_tests();

__DATA__

=== TEST 1: two reports with a photo each in March 2021
--- more_headers eval
["$::Multipart\nX-PA-Now: 2021-03-01T09:00:00+07:00\nX-PA-Test-Id: O-OLD\nX-PA-Test-Token: token-of-the-reporter-o-old",
 "$::Multipart\nX-PA-Now: 2021-03-01T09:00:00+07:00\nX-PA-Test-Id: O-KEEP\nX-PA-Test-Token: token-of-the-reporter-o-keep"]
--- pipelined_requests eval
[::form(['content', 'Cây đổ chắn đường'], ['lat', '22.39'], ['lng', '103.45'],
        ['reporter_name', 'A'], ['reporter_phone', '0912000555'],
        ['media', 'fresh-mm.jpg', 'image/jpeg']),
 ::form(['content', 'Cống vỡ'], ['lat', '22.39'], ['lng', '103.45'],
        ['reporter_name', 'B'], ['reporter_phone', '0912000666'],
        ['media', 'nogps.jpg', 'image/jpeg'])]
--- error_code eval
[201, 201]



=== TEST 2: the reporter cancels O-OLD; O-KEEP stays open
--- more_headers
Content-Type: application/json
X-PA-Now: 2021-03-01T10:00:00+07:00
X-Report-Token: token-of-the-reporter-o-old
--- request eval
main::act('O-OLD', action => 'cancel')
--- error_code: 200
--- response_body_like: "status":"cancelled"



=== TEST 3: five years on: O-OLD archived, then its photo and an old stray blob leave the store
--- init
Test::More::ok(-f main::blob($main::Photo), "O-OLD's photo is in the store");
Test::More::ok(-f main::blob($main::Kept), "O-KEEP's photo is in the store");
for my $hex ($main::Orphan, $main::Young) {
    mkdir "$main::Media/" . substr($hex, 0, 2);
    open my $f, '>', main::blob($hex) or die "$hex: $!";
    print $f "a blob no report names\n";
    close $f;
}
# public copies as a publication makes them (pa_media_dir/public/<id>/)
for my $id ('O-OLD', 'O-KEEP') {
    mkdir "$main::Media/public";
    mkdir "$main::Media/public/$id";
    open my $f, '>', "$main::Media/public/$id/$main::Photo.jpg" or die $!;
    close $f;
}
# all older than the grace but the young stray one
utime $main::Old, $main::Old, main::blob($_)
    for $main::Photo, $main::Kept, $main::Orphan;
--- more_headers
X-PA-Now: 2026-03-02T10:00:01+07:00
--- request
POST /api/v1/admin/sweep?media=1
--- error_code: 200
--- response_body_like: "archived":1,"media_removed":2\}$



=== TEST 4: ... the referenced and the young blob stay; a sweep without ?media=1 leaves the store alone
--- init
Test::More::is(main::traces('t_orph', 'O-OLD'), '',
               'no key, index, token or print names O-OLD (purged after '
               . 'the threaded write)');
Test::More::isnt(main::traces('t_orph', 'O-KEEP'), '', 'O-KEEP is all there');
Test::More::ok(!-e "$main::Media/public/O-OLD",
               "the archived report's public copies removed");
Test::More::ok(-f "$main::Media/public/O-KEEP/$main::Photo.jpg",
               "another report's public copies kept");
Test::More::ok(!-e main::blob($main::Photo), "O-OLD's photo removed");
Test::More::ok(!-e main::blob($main::Orphan), 'the old stray blob removed');
Test::More::ok(-f main::blob($main::Kept), "O-KEEP's photo kept");
Test::More::ok(-f main::blob($main::Young), 'the young stray blob kept');
utime $main::Old, $main::Old, main::blob($main::Young);
--- more_headers
X-PA-Now: 2026-03-02T10:00:02+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body_like: "archived":0\}$



=== TEST 5: ... until the next orphan sweep
--- init
Test::More::ok(-f main::blob($main::Young), 'no orphan sweep without ?media=1');
--- more_headers
X-PA-Now: 2026-03-02T10:00:03+07:00
--- request
POST /api/v1/admin/sweep?media=1
--- error_code: 200
--- response_body_like: "archived":0,"media_removed":1\}$



=== TEST 6: O-KEEP still names its photo
--- init
Test::More::ok(-f main::blob($main::Kept), "O-KEEP's photo kept");
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-03-02T10:00:04+07:00"
--- request
GET /api/v1/reports/O-KEEP
--- error_code: 200
--- response_body_like eval
qr/"media":\[\{"id":"$::Kept"/



=== TEST 7: a grace under a minute is refused (a submission's blob is stored before its script)
--- http_config
    pa_media_orphan_grace 10s;
--- must_die
--- error_log
"pa_media_orphan_grace" directive must be 1m or more
