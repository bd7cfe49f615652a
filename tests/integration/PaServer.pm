package PaServer;

# Integration tests that need one nginx to live through events between
# requests (Redis stopped and restarted, reloads, aborted clients): static
# Test::Nginx blocks cannot express that.  This starts a private Redis and
# nginx (master + 2 workers) with the module, on free ports, and stops
# both when the test ends.

use strict;
use warnings;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64);
use JSON::PP ();

my $ROOT = $ENV{TEST_NGINX_ROOT} || '.';

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die "no port: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub new {
    my ($class, %opt) = @_;
    my $self = bless {
        dir        => tempdir('pa-it-XXXXXX', TMPDIR => 1, CLEANUP => 1),
        port       => free_port(),
        redis_port => $opt{redis_port} || free_port(),
        extra      => $opt{http_config} || '',
        # lines in the server {} beside its locations
        server     => $opt{server_config} || '',
        # main-context lines in place of the default events {}
        main       => $opt{main_config}
                      || "events { worker_connections 1024; }",
        # a shipped profile instead of the bare tenant "it"
        # tenant: another bare tenant than "it" (a cluster's provinces)
        rules      => $opt{profile}
                      ? "include $ROOT/conf-examples/profiles/$opt{profile}.conf;"
                      : "pa_tenant " . ($opt{tenant} || 'it')
                        . ";\n    pa_sla verify 1d;",
        timeouts   => $opt{redis_timeouts}
                      || 'connect_timeout=300ms timeout=1s',
    }, $class;
    # redis: what pa_redis names instead of the private Redis
    # ("sentinel=... master=..."); workers: how many
    $self->{redis_addr} = $opt{redis} || "127.0.0.1:$self->{redis_port}";
    $self->{workers} = $opt{workers} || 2;
    mkdir "$self->{dir}/$_" for qw(logs conf redis);
    # no_redis: nginx is pointed at an address the test controls
    $self->start_redis unless $opt{no_redis};
    $self->start_nginx;
    return $self;
}

sub start_redis {
    my $self = shift;
    system('redis-server', '--bind', '127.0.0.1',
           '--port', $self->{redis_port}, '--daemonize', 'yes',
           '--dir', "$self->{dir}/redis",
           '--pidfile', "$self->{dir}/redis/redis.pid",
           '--logfile', "$self->{dir}/logs/redis.log",
           '--appendonly', 'yes', '--appendfsync', 'everysec',
           '--save', '') == 0 or die "redis-server failed";
    for (1 .. 50) {
        return if $self->redis('PING') =~ /PONG/;
        sleep 0.1;
    }
    die "redis did not start";
}

# SHUTDOWN writes the AOF out before exiting, like a real restart
sub stop_redis {
    my $self = shift;
    $self->redis('SHUTDOWN');
    for (1 .. 50) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $self->{redis_port});
        return unless $s;
        close $s;
        sleep 0.1;
    }
}

sub redis {
    my ($self, @cmd) = @_;
    my $out = `redis-cli -p $self->{redis_port} @cmd 2>&1`;
    return $out;
}

sub start_nginx {
    my $self = shift;
    my $d = $self->{dir};
    my $mod = $ENV{TEST_NGINX_LOAD_MODULES} or die "TEST_NGINX_LOAD_MODULES";
    my $user = $> == 0 ? "user root;\n" : '';
    open my $fh, '>', "$d/conf/nginx.conf" or die $!;
    print $fh <<"EOC";
load_module $mod;
${user}worker_processes $self->{workers};
daemon on;
master_process on;
pid logs/nginx.pid;
error_log logs/error.log info;
$self->{main}
http {
    access_log off;
    client_body_temp_path body;
    client_max_body_size 20m;
    pa_redis $self->{redis_addr} $self->{timeouts};
    pa_redis_scripts $ROOT/redis-scripts;
    pa_auth_secret_file $ROOT/t/keys/auth.key;
    pa_pii_key_file $ROOT/t/keys/pii.key;
    $self->{rules}
    $self->{extra}
    server {
        listen 127.0.0.1:$self->{port};
        location /api/v1/ {
            pa_api;
            error_page 400 404 405 413 415 500 503 \@pa_error;
        }
        location \@pa_error { pa_error; }
        location = /metrics { pa_metrics; }
        $self->{server}
    }
}
EOC
    close $fh;
    system($ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx', '-p', "$d/",
           '-c', 'conf/nginx.conf', '-e', 'logs/error.log') == 0
        or die "nginx failed: " . `tail -5 $d/logs/error.log`;
    for (1 .. 50) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $self->{port});
        if ($s) { close $s; $self->nginx_pid; return; }
        sleep 0.1;
    }
    die "nginx did not listen";
}

# the pid file, else the master seen at start: a server destroyed at
# global destruction finds its temp dir already removed by File::Temp
sub nginx_pid {
    my $self = shift;
    open my $fh, '<', "$self->{dir}/logs/nginx.pid" or return $self->{pid};
    my $pid = <$fh>;
    chomp $pid;
    return $self->{pid} = $pid;
}

sub signal {
    my ($self, $sig) = @_;
    my $pid = $self->nginx_pid or return;
    kill $sig, $pid;
}

sub wait_gone {
    my ($self, $timeout) = @_;
    my $pid = $self->nginx_pid or return 1;
    my $end = time + $timeout;
    while (time < $end) {
        return 1 unless kill 0, $pid;
        # reap a zombie if we are its parent (we are not, usually)
        waitpid(-1, WNOHANG);
        return 1 if `ps -o stat= -p $pid 2>/dev/null` =~ /Z/;
        sleep 0.05;
    }
    return 0;
}

# ------------------------------------------------ Redis sets' nodes
# The nodes of PaSentinel's and PaCluster's sets: a redis-server on $port
# in $dir/n$port, a daemon without persistence (a new replica syncs at
# once, not after Redis' 5 s diskless delay), @args more; up when
# $cli->($port, 'PING') answers PONG (the set's cli, with its password).
sub start_redis_node {
    my ($dir, $port, $cli, @args) = @_;
    my $d = "$dir/n$port";
    mkdir $d;
    system('redis-server', '--bind', '127.0.0.1', '--port', $port,
           '--daemonize', 'yes', '--dir', $d,
           '--pidfile', "$d/redis.pid", '--logfile', "$d/redis.log",
           '--save', '', '--appendonly', 'no',
           '--repl-diskless-sync-delay', '0', @args) == 0
        or die "redis-server failed";
    for (1 .. 50) {
        return if $cli->($port, 'PING') =~ /PONG/;
        sleep 0.1;
    }
    # (daemonized: its own log says why, "Address already in use" most
    # often)
    my $why = `tail -n 3 $d/redis.log 2>/dev/null` // '';
    die "redis $port did not start: $why";
}

sub redis_node_pid {
    my ($dir, $port) = @_;
    open my $fh, '<', "$dir/n$port/redis.pid" or return;
    my $pid = <$fh>;
    chomp $pid;
    return $pid;
}

# a set's end: SHUTDOWN NOSAVE to each port, then whatever did not take
# it killed by its own pid file in $dir, never by name
sub stop_redis_set {
    my ($dir, $cli, @ports) = @_;
    $cli->($_, 'SHUTDOWN', 'NOSAVE') for @ports;
    for my $f (glob("$dir/*/*.pid")) {
        open my $fh, '<', $f or next;
        my $pid = <$fh>;
        kill 'KILL', $1 if defined $pid && $pid =~ /^(\d+)/;
    }
}

# one HTTP/1.0 request: (status, headers, body)
sub http {
    my ($self, $method, $uri, %opt) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $self->{port},
                                  Timeout => 10) or return (0, '', '');
    my $body = $opt{body} // '';
    my $req = "$method $uri HTTP/1.0\r\nHost: localhost\r\n";
    for my $h (@{ $opt{headers} || [] }) {
        $req .= "$h\r\n";
    }
    $req .= "Content-Length: " . length($body) . "\r\n" if length $body;
    $req .= "\r\n$body";
    print $s $req;
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($head, $rbody) = split /\r\n\r\n/, $resp, 2;
    my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d+)};
    return ($status // 0, $head // '', $rbody // '');
}

# a staff (or reporter) token with these claims, signed with
# t/keys/auth.key as bin/pa-token signs: PaServer::sign({sub, role, ...})
sub sign {
    my $claims = shift;
    my $b64u = sub {
        my $s = encode_base64(shift, '');
        $s =~ tr{+/}{-_};
        $s =~ s/=+\z//;
        return $s;
    };
    open my $fh, '<', "$ROOT/t/keys/auth.key" or die "auth.key: $!";
    my $key = do { local $/; <$fh> };
    $key =~ s/[\r\n]+\z//;
    my $h = $b64u->('{"alg":"HS256","typ":"JWT"}');
    my $p = $b64u->(JSON::PP->new->canonical->encode($claims));
    return "$h.$p." . $b64u->(hmac_sha256("$h.$p", $key));
}

sub submit_json {
    my ($self, $content) = @_;
    my $json = qq({"content":"$content","lat":22.39,"lng":103.45,)
             . qq("reporter_name":"Tester","reporter_phone":"0912345678"});
    return $self->http('POST', '/api/v1/reports', body => $json,
                       headers => ['Content-Type: application/json']);
}

# temp files are removed by the request's pool cleanup, which runs just
# after the answer is sent: give it a moment before calling them leftovers
sub media_tmp_files {
    my $self = shift;
    my @left;
    for (1 .. 20) {
        @left = glob("$self->{dir}/media/tmp/*");
        return () unless @left;
        sleep 0.05;
    }
    return @left;
}

# the worker crash this suite exists for: nginx's master logs it
sub crashes {
    my $self = shift;
    open my $fh, '<', "$self->{dir}/logs/error.log" or return ();
    return grep { /exited on signal/ } <$fh>;
}

sub DESTROY {
    my $self = shift;
    return unless $self->{dir};
    $self->signal('TERM');
    $self->wait_gone(5);
    $self->redis('SHUTDOWN', 'NOSAVE');
}

1;
