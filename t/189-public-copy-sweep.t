# Issue 15: a published report's public copy missing on disk (deleted,
# or the disk was full at publish) was made again only on its first
# read.  The sweeper now makes it again on its next pass, as at publish
# and with the same bytes: the URL is a static file again before anyone
# asks, whatever its place in the index.  A hidden report's copies are
# not made again.  The reports are made under the test clock; the
# sweeps run on the real timer (1 s).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use Digest::MD5 qw(md5_hex);
use Digest::SHA qw(sha256_hex);
use Time::HiRes ();

tokens();
fresh('t_psweep');

our $Photo = slurp("$Fix/fresh-mm.jpg");     # camera EXIF and GPS
our $Sha = sha256_hex($Photo);
our $Url = "/media/PS-1/$Sha.jpg";
our $File = "$Data/media/public/PS-1/$Sha.jpg";
our $Hidden = "$Data/media/public/PS-2";

# the copy made at publish, its MD5 kept before it is deleted
our $Taken;

sub take_copy {
    $Taken = md5_hex(slurp($File));
    unlink $File or die "cannot delete $File: $!";
}

# After a request, while nginx runs: the sweeper's pass logged (the copy
# is renamed into place before), then the copy compared with the one of
# publish.  A sweep every second; 30 s allows a loaded machine.
sub swept {
    my $log = $Test::Nginx::Util::ErrLogFile;
    my $end = Time::HiRes::time() + 30;
    my $seen;
    while (Time::HiRes::time() < $end) {
        open my $fh, '<', $log or die "$log: $!";
        $seen = grep { /missing on disk made again by the sweeper/ } <$fh>;
        close $fh;
        last if $seen;
        Time::HiRes::sleep(0.2);
    }
    return 'no sweep made it again in 30 s' unless $seen;
    return 'the sweep logged it, but it is not on disk' unless -s $File;
    my $md5 = md5_hex(slurp($File));
    return $md5 eq $Taken ? 'on disk again, the copy made at publish'
                          : "md5 $md5, the copy made at publish: $Taken";
}

# 250 published reports newer than PS-1 and without photos: PS-1 is on
# a later page of the index, which one pass walks too
sub newer_reports {
    open my $cli, '|-', 'redis-cli', '-p', $ENV{TEST_NGINX_REDIS_PORT}
        or die "redis-cli: $!";
    for my $n (1 .. 250) {
        print $cli "HSET pa:{t_psweep}:r:PF-$n id PF-$n status resolved "
                 . "published 1 content x\n";
        print $cli "ZADD pa:{t_psweep}:pub " . (1900000000 + $n) . " PF-$n\n";
    }
    close $cli;
    my @at = split /\n/, main::redis('ZREVRANK', 'pa:{t_psweep}:pub', 'PS-1');
    return $at[0];
}

sub as_taken {
    my $md5 = md5_hex(shift);
    return $md5 eq $Taken ? 'the copy made at publish'
                          : "md5 $md5, the copy made at publish: $Taken";
}

sub staff { "Authorization: Bearer $T{$_[0]}\nX-PA-Now: $_[1]\n"
            . "Content-Type: application/json" }
sub act { "POST /api/v1/reports/$_[0]/actions\n$_[1]" }

# the reports' lifecycle: the test clock
our $Clock = <<'_EOC_';
    pa_test_clock on;
_EOC_

# the sweeps: on the real timer, every second (pa_test_clock keeps the
# timer off: requests carry their own "now")
our $Timer = <<'_EOC_';
    pa_sweep_interval 1s;
_EOC_

our $Http = <<'_EOC_';
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_psweep;
    pa_profile test-public-copy-sweep;
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
_EOC_

setting(main_config => $Threads, http_config => $Http . $Clock,
        config => api() . <<'_EOC_');
    # the public copies, as dev.conf has them
    location /media/ {
        alias $TEST_NGINX_PA_DATA/media/public/;
        aio threads=pa;
        types {
            image/jpeg jpg;
        }
        default_type application/octet-stream;
        error_page 404 = @pa_public_copy;
    }

    location @pa_public_copy {
        pa_api;
    }
_EOC_

sub lifecycle {
    my $id = shift;
    return ["POST /api/v1/reports\n" . ::multipart(
                ['content', "Rác thải đổ trộm bên suối $id"],
                ['reporter_name', 'Lò Văn C'],
                ['reporter_phone', $id eq 'PS-1' ? '0987000189'
                                                 : '0987000190'],
                ['media', 'IMG_0001.jpg', 'image/jpeg', $Photo]),
            act($id, '{"action":"verify"}'), act($id, '{"action":"receive"}'),
            act($id, '{"action":"dispatch","agencies":["so-xd"]}'),
            act($id, '{"action":"accept"}'),
            act($id, '{"action":"resolve","summary":"Đã thu gom rác.",'
                     . '"salutation":"Ông"}'),
            act($id, '{"action":"publish"}')];
}

sub lifecycle_headers {
    my $id = shift;
    return ["$Multipart\nX-PA-Now: 2026-01-22T09:00:00+07:00\n"
            . "X-PA-Test-Id: $id",
            staff('ioc', '2026-01-22T10:00:00+07:00'),
            staff('ioc', '2026-01-22T10:00:00+07:00'),
            staff('ioc', '2026-01-22T10:00:00+07:00'),
            staff('xd', '2026-01-22T11:00:00+07:00'),
            staff('xd', '2026-01-22T15:00:00+07:00'),
            staff('ioc', '2026-01-23T09:00:00+07:00')];
}

run_tests();

__DATA__

=== TEST 1: PS-1 with a camera photo, handled and published: its public copy is made
--- more_headers eval
::lifecycle_headers('PS-1')
--- pipelined_requests eval
::lifecycle('PS-1')
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"PS-1"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched"', '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*"published":true']



=== TEST 2: PS-2 the same way, then hidden: its copies go
--- more_headers eval
[@{ ::lifecycle_headers('PS-2') }, ::staff('ioc', '2026-01-23T10:00:00+07:00')]
--- pipelined_requests eval
[@{ ::lifecycle('PS-2') }, ::act('PS-2', '{"action":"hide","reason":"Ảnh lộ biển số xe"}')]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"PS-2"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched"', '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*"published":true', '"hidden":true']



=== TEST 3: PS-1's copy deleted from disk, PS-1 on a later page of the published reports: the sweeper's next pass makes it again, the same bytes, before anyone reads it
--- init
Test::More::is(main::newer_reports(), 250, 'PS-1 is the 251st newest');
main::take_copy();
Test::More::ok(!-e $main::File, 'the copy is gone from disk');
Test::More::ok(!-e $main::Hidden, 'the hidden report has no copies');
--- http_config eval
$::Http . $::Timer
--- request
GET /api/v1/health
--- error_code: 200
--- response_body_filters eval
\&main::swept
--- response_body chomp
on disk again, the copy made at publish
--- no_error_log
making it again



=== TEST 4: the URL is a static file again: 200, the same bytes, nothing made on the read; the hidden report's copies were not made again
--- init
Test::More::ok(!-e $main::Hidden, 'the hidden report still has no copies');
--- http_config eval
$::Http . $::Timer
--- request eval
"GET $::Url"
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
--- response_body_filters eval
\&main::as_taken
--- response_body chomp
the copy made at publish
--- no_error_log
making it again
