package t::PaLife;

# What the profile lifecycle suites (t/110, t/120, t/130, t/140, t/160)
# share on top of t/PaTest.pm (tokens, redis-cli, h() and act(), all
# exported from here too): the shipped profile as the test's http{}
# configuration (shipped_http(), life()) and the expected "deadlines" of
# a view.  A suite says:
#
#   use Test::Nginx::Socket 'no_plan';
#   use lib '.';
#   use t::PaLife;
#
#   life('laichau-2026', 't_lc26', ioc => ['ioc'],
#        xd => ['handler', 'so-xd']);
#   run_tests();
#
# The functions are exported to main, where the blocks' "eval" sections
# call them as main::h(), main::act(), main::dls() and main::redis().

use strict;
use warnings;

use t::PaTest qw(:DEFAULT h act);
use Exporter 'import';
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use Test::Nginx::Util ();

# PaTest's helpers too: a suite says "use t::PaLife" only
our @EXPORT = (@t::PaTest::EXPORT,
              qw(h hm act photo_report profile shipped_http dls life
                 ioc_stream));

our $ROOT = $t::PaTest::ROOT;

# The shipped profile as it is, with its relative file names made absolute
# and the suite's own tenant, emptied first (a suite may run again).
sub profile {
    my ($name, $tenant) = @_;
    my $c = slurp("$ROOT/conf-examples/profiles/$name.conf");
    # ("../x" beside the profile: as the module resolves it when included)
    # (every file of the line: pa_calendar_file takes one a year)
    $c =~ s{^(\s*pa_(?:calendar_file|directory|area)\s+)([^;]+);}
           {$1 . join(' ', map { m{^/} || !m{/} ? $_ : "$ROOT/conf-examples/profiles/$_" }
                           split ' ', $2) . ';'}mge;
    $c =~ s{^(\s*pa_tenant\s+)\S+;}{$1$tenant;}m or die "no pa_tenant";
    fresh($tenant);
    return $c;
}

# the "deadlines" of a view, in the view's order (by due, then key), and
# the report's "overdue": [key, "YYYY-MM-DDTHH:MM[:SS]", state] with state
# "met", "late" (completed late), "open" or "over" (open and passed)
sub dls {
    my ($over, @d) = @_;
    my @o;
    for my $d (@d) {
        my ($key, $due, $st) = @$d;
        my ($step, $sep, $who) = $key =~ /^([^@#]+)(?:([@#])(.+))?$/;
        $due .= ':00' if length $due == 16;
        my $s = qq({"step":"$step","due":"$due+07:00");
        $s .= qq(,"agency":"$who") if $sep && $sep eq '@';
        $s .= qq(,"comment_id":"$who") if $sep && $sep eq '#';
        $s .= { met => ',"met":true,"overdue":false',
                late => ',"met":false,"overdue":true',
                over => ',"overdue":true',
                open => ',"overdue":false' }->{$st} // die "state $st";
        push @o, "$s}";
    }
    return quotemeta('"deadlines":[' . join(',', @o) . '],"overdue":'
                     . ($over ? 'true' : 'false'));
}

# the headers of a submission with files (h()'s are JSON's)
sub hm {
    my $h = h(@_);
    $h =~ s{^Content-Type: application/json}{$Multipart};
    return $h;
}

# A submission where the profile requires a photo (VL Điều 8.2a): the
# fields of the JSON text $json as form parts, and a phone's photo of the
# scene taken at $now (RFC 3339, the province's wall clock) -- the Vĩnh
# Long fixture with its capture time set by exiftool now, so it is as
# fresh as the regulation wants (Điều 8.1b).
sub photo_report {
    my ($now, $json) = @_;
    my ($d, $t) = $now =~ /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/
        or die "bad time $now";
    (my $exif = "$d $t") =~ s/-/:/g;
    my $file = "$t::PaTest::Data/photo-$d-$t.jpg";
    $file =~ s/://g;
    open my $out, '>:raw', $file or die "$file: $!";
    print {$out} slurp("$Fix/vinhlong.jpg");
    close $out or die "$file: $!";
    system('exiftool', '-q', '-q', '-overwrite_original',
           "-DateTimeOriginal=$exif", "-CreateDate=$exif",
           "-ModifyDate=$exif", $file) == 0 or die "exiftool failed";
    my $f = JSON::PP->new->decode($json);
    my @parts = map { [$_, $f->{$_}] } sort keys %$f;
    return "POST /api/v1/reports\n"
           . multipart(@parts, ['media', 'photo.jpg', 'image/jpeg',
                                slurp($file)]);
}

# The suite's setting: the shipped profile with a tenant of its own, the
# test clock, the API under /api/v1/, and its callers as name => [role,
# agency].  Blocks keep their order (each follows the one before in time)
# and may still bring their own http_config or config.
sub life {
    my ($name, $tenant, %who) = @_;

    # the profile's own agencies: no name of PaTest's table stays
    %T = ();
    tokens(%who);

    setting(main_config => $Threads,
            http_config => shipped_http($name, $tenant) . $Pool);
}

# The http{} of the shipped profile $name in the suite's own $tenant (life()
# and t/186-public-cache.t): Redis, the test keys, the media store and the
# archive in the file's data folder, the test clock
sub shipped_http {
    return profile(@_) . <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_archive_dir $TEST_NGINX_PA_DATA/archive;
    pa_test_clock on;
_EOC_
}

# The IOC's live stream (GET /api/v1/events, the suite's "ioc" token)
# replayed from its start until the last entry of the tenant's stream
# (key prefix $p) came: "<type> <report> <step>" of each event in order,
# one a line (report or step "-" when it has none)
sub ioc_stream {
    my $p = shift;
    my $last = redis_raw('XREVRANGE', "${p}events", '+', '-',
                         'COUNT', '1')->[0][0];
    my $s = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => Test::Nginx::Util::server_port_for_client(),
        Timeout => 10) or die "connect: $!";
    print $s "GET /api/v1/events HTTP/1.0\r\nHost: localhost\r\n"
             . "Authorization: Bearer $T{ioc}\r\n"
             . "Last-Event-ID: 0-0\r\n\r\n";
    my ($a, $sel, $end) = ('', IO::Select->new($s), time + 60);
    while ($a !~ /^id: \Q$last\E\n(?:.*\n)*?\n/m && time < $end) {
        last unless $sel->can_read(1) ? sysread($s, $a, 65536, length $a)
                                      : 1;
    }
    close $s;
    my @out;
    for my $data ($a =~ /^data: (\{.*\})$/mg) {
        my $e = JSON::PP->new->decode($data);
        push @out, join ' ', $e->{type}, $e->{id} // '-', $e->{step} // '-';
    }
    return join "\n", @out;
}

1;
