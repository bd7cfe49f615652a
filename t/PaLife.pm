package t::PaLife;

# What the profile lifecycle suites (t/110, t/120, t/130, t/140, t/160)
# share: staff tokens, redis-cli, the shipped profile as the test's http{}
# configuration, request headers with X-PA-Now, actions and the expected
# "deadlines" of a view.  A suite says:
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

use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64);
use JSON::PP;
use Exporter 'import';

our @EXPORT = qw(b64u jwt redis profile h act dls life);

our $ROOT = $ENV{TEST_NGINX_ROOT} // die "TEST_NGINX_ROOT is not set\n";

# the suite's callers: a name -> its signed token (life() fills it)
our %T;

sub b64u {
    my $s = encode_base64(shift, '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+\z//;
    return $s;
}

# staff (and signed-in reporter) tokens signed with t/keys/auth.key, as
# bin/pa-token does
sub jwt {
    my ($role, $agency) = @_;
    open my $f, '<', "$ROOT/t/keys/auth.key" or die $!;
    my $key = do { local $/; <$f> };
    $key =~ s/[\r\n]+\z//;
    my %c = (sub => "$role-" . ($agency // 'user'), role => $role,
             exp => 4102444800);
    $c{agency} = $agency if defined $agency;
    my $h = b64u('{"alg":"HS256","typ":"JWT"}');
    my $p = b64u(JSON::PP->new->canonical->encode(\%c));
    return "$h.$p." . b64u(hmac_sha256("$h.$p", $key));
}

sub redis {
    open my $p, '-|', 'redis-cli', '-p', $ENV{TEST_NGINX_REDIS_PORT}, @_
        or die "redis-cli: $!";
    local $/;
    my $out = <$p> // '';
    close $p;
    $out =~ s/\n\z//;
    return $out;
}

# The shipped profile as it is, with its relative file names made absolute
# and the suite's own tenant, emptied first (a suite may run again).
sub profile {
    my ($name, $tenant) = @_;
    open my $f, '<', "$ROOT/conf-examples/profiles/$name.conf" or die $!;
    my $c = do { local $/; <$f> };
    $c =~ s{^(\s*pa_(?:calendar_file|directory)\s+)(?!/)(\S+;)}
           {$1$ROOT/conf-examples/$2}mg;
    $c =~ s{^(\s*pa_tenant\s+)\S+;}{$1$tenant;}m or die "no pa_tenant";
    redis('EVAL', "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do "
          . "redis.call('DEL', k) end", '0', "pa:{$tenant}:*");
    return $c;
}

# headers of one request: who (a name given to life(), "r:<token>" for a
# reporter's access token, "" for nobody) and when
sub h {
    my ($who, $now) = @_;
    my @h = ("Content-Type: application/json");
    push @h, "X-PA-Now: $now" if $now;
    if ($who =~ /^r:(.+)$/) {
        push @h, "X-Report-Token: $1";
    } elsif ($who ne '') {
        my $t = $T{$who} // die "no token named \"$who\"\n";
        push @h, "Authorization: Bearer $t";
    }
    return join "\n", @h;
}

# an action on a report
sub act {
    my ($id, %f) = @_;
    return "POST /api/v1/reports/$id/actions\n"
           . JSON::PP->new->canonical->encode(\%f);
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

# The suite's setting: the shipped profile with a tenant of its own, the
# test clock, the API under /api/v1/, and its callers as name => [role,
# agency].  Blocks keep their order (each follows the one before in time)
# and may still bring their own http_config or config.
sub life {
    my ($name, $tenant, %who) = @_;

    %T = map { $_ => jwt(@{ $who{$_} }) } keys %who;

    my $http_config = profile($name, $tenant) . <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_SERVROOT/media;
    pa_test_clock on;
_EOC_

    my $config = <<'_EOC_';
    location /api/v1/ {
        pa_api;
        error_page 400 404 405 413 415 500 503 @pa_error;
    }
    location @pa_error { pa_error; }
_EOC_

    Test::Nginx::Socket::add_block_preprocessor(sub {
        my $block = shift;
        $block->set_value("http_config", $http_config)
            unless defined $block->http_config;
        $block->set_value("config", $config) unless defined $block->config;
    });

    Test::Nginx::Socket::no_shuffle();
    Test::Nginx::Socket::no_root_location();
}

1;
