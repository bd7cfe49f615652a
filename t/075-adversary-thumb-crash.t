# A worker killed (kill -9) while a photo's thumbnail waits in the lane
# (adversary of ngx_pa_thumb_lane.c): the lane waits for 100 ms without
# media work, in the worker's memory, so a crash right after the 201
# loses it.  The photo is safe in the store, named by its SHA-256; once
# nginx is back, the reporter asking for the thumbnail is told it is
# being made (404, Retry-After) and soon gets it -- not "being made"
# forever, nor "no thumbnail" after a minute.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use Digest::SHA qw(sha256_hex);
use HTTP::Tiny;
use Time::HiRes ();

fresh('t_adv_thumb');

our $Photo = slurp("$Fix/large.jpg");
our $Sha = sha256_hex($Photo);
our $Store = "$Data/media/" . substr($Sha, 0, 2) . "/$Sha";
our $Thumb = "/api/v1/reports/TC-1/media/$Sha?size=thumb";
our $Url = "http://127.0.0.1:$Test::Nginx::Util::ServerPortForClient";

# the reporter's photo report, and nginx killed at once, then started
# again as a supervisor would (the same command as Test::Nginx's)
sub crash_after_upload {
    my $body = multipart(['content', 'Cây đổ chắn ngang đường bản Na Cà'],
                         ['reporter_name', 'Lò Thị K'],
                         ['reporter_phone', '0987000751'],
                         ['media', 'IMG_0001.jpg', 'image/jpeg', $Photo]);
    (my $ct = $Multipart) =~ s/^Content-Type: //;
    my $res = HTTP::Tiny->new(timeout => 30)->post("$Url/api/v1/reports", {
        headers => {'Content-Type' => $ct,
                    'X-PA-Now' => '2026-01-22T09:00:00+07:00',
                    'X-PA-Test-Id' => 'TC-1',
                    'X-PA-Test-Token' => 'token-of-the-reporter-tc-1'},
        content => $body});
    my $pid = slurp($Test::Nginx::Util::PidFile);
    chomp $pid;
    kill 'KILL', $pid;
    Test::More::is($res->{status}, 201, 'the photo report stored');
    Test::More::ok(!-f "$Store.thumb.jpg",
                   'killed before its thumbnail was made');
    for (1 .. 100) {
        last unless kill 0, $pid;
        Time::HiRes::sleep(0.05);
    }
    my $root = $Test::Nginx::Util::ServRoot;
    system("$Test::Nginx::Util::NginxBinary -e $root/logs/error.log "
           . "-p $root/ -c $Test::Nginx::Util::ConfFile > /dev/null") == 0
        or die "nginx did not start again\n";
}

# the thumbnail asked for as a client would, until served (a loaded
# machine is slow): the statuses seen, each once, in order
sub ask_until_served {
    my @seen;
    for (1 .. 200) {
        my $res = HTTP::Tiny->new(timeout => 10)->get("$Url$Thumb", {
            headers => {'X-Report-Token' => 'token-of-the-reporter-tc-1'}});
        push @seen, $res->{status} unless @seen && $seen[-1] == $res->{status};
        last if $res->{status} == 200;
        Time::HiRes::sleep(0.05);
    }
    return "@seen";
}

setting(main_config => $Threads, config => api() . originals(),
        http_config => media_http('t_adv_thumb'));

run_tests();

__DATA__

=== TEST 1: killed right after the 201, started again: the photo intact, its thumbnail made when asked for
--- init
main::crash_after_upload();
Test::More::is(Digest::SHA::sha256_hex(main::slurp($main::Store)), $main::Sha,
               'the stored photo intact, named by its SHA-256');
Test::More::is(main::ask_until_served(), '404 200',
               'being made (404), then served');
--- more_headers
X-Report-Token: token-of-the-reporter-tc-1
--- request eval
"GET $::Thumb"
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
--- response_body_like: \A\xFF\xD8
