package Test::Nginx::Util;

# ngx_pa's stand-in for the CPAN Test::Nginx::Util (openresty/test-nginx).
# It owns the nginx side of a test run: settings, nginx.conf generation,
# server root layout, starting/stopping nginx and reading its logs.
# Test::Nginx::Socket builds on it. See tests/test-nginx/README.md for the
# supported subset and the known differences from the real module.

use strict;
use warnings;

our $VERSION = '0.29_pa1';

use base 'Exporter';

use POSIX qw(SIGQUIT SIGKILL SIGTERM WNOHANG);
use File::Spec ();
use File::Path qw(make_path remove_tree);
use List::Util qw(shuffle);
use Time::HiRes qw(sleep time);
use IO::Socket::INET ();
use Scalar::Util qw(looks_like_number);
use Carp qw(croak);
use Test::More ();

# ------------------------------------------------------------ settings

our $Verbose              = $ENV{TEST_NGINX_VERBOSE};
our $NoNginxManager       = $ENV{TEST_NGINX_NO_NGINX_MANAGER} || 0;
our $RepeatEach           = 1;
our $LoadModules          = $ENV{TEST_NGINX_LOAD_MODULES};
our $NoShuffle            = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $EventType            = $ENV{TEST_NGINX_EVENT_TYPE};
our $ReusePort            = $ENV{TEST_NGINX_REUSE_PORT};
our $Timeout              = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $CheckAccumErrLog     = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};
our $ServerAddr           = '127.0.0.1';
our $ServerName           = 'localhost';
our $WorkerUser           = $ENV{TEST_NGINX_WORKER_USER};
our $NginxBinary          = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $Workers              = 1;
our $WorkerConnections    = 64;
our $LogLevel             = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $DaemonEnabled        = 'on';
our $ServerPort           = $ENV{TEST_NGINX_SERVER_PORT}
                            || $ENV{TEST_NGINX_PORT} || 1984;
our $ServerPortForClient  = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;
our $NoRootLocation       = 0;
our $TestNginxSleep       = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $ForceRestartOnTest   = defined $ENV{TEST_NGINX_FORCE_RESTART_ON_TEST}
                            ? $ENV{TEST_NGINX_FORCE_RESTART_ON_TEST} : 1;
our $NoLongString;
our $ConfigPreamble       = '';
our $FilterHttpConfig;
our $RunTestHelper;
our $CheckErrorLog;
our $NginxVersion;
our $NginxRawVersion;
our $OpenSSLVersion;
our $PrevConfig;
our $PrevBlock;
our $ErrLogFilePos        = 0;
our $FirstTime            = 1;
our $InSubprocess;
our $ChildPid;
our $CheckLeak            = 0;     # modes of the real module that this
our $Benchmark            = 0;     # runner does not implement

our (@EnvToNginx, @BlockPreprocessors, @CleanupHandlers);

if (defined $WorkerUser && $WorkerUser !~ /^\w+(?:\s+\w+)?$/) {
    die "Bad value in the env TEST_NGINX_WORKER_USER: $WorkerUser\n";
}

our $ServRoot = $ENV{TEST_NGINX_SERVROOT}
                || File::Spec->rel2abs('t/servroot');
$ServRoot =~ s{/+$}{} unless $ServRoot eq '/';
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;

our $LogDir     = File::Spec->catfile($ServRoot, 'logs');
our $ErrLogFile = File::Spec->catfile($LogDir, 'error.log');
our $AccLogFile = File::Spec->catfile($LogDir, 'access.log');
our $HtmlDir    = File::Spec->catfile($ServRoot, 'html');
our $ConfDir    = File::Spec->catfile($ServRoot, 'conf');
our $ConfFile   = File::Spec->catfile($ConfDir, 'nginx.conf');
our $PidFile    = File::Spec->catfile($LogDir, 'nginx.pid');
our $StartErrFile = File::Spec->catfile($LogDir, 'nginx-start.stderr');

# temp directories the generated http {} block points into the server
# root (unless the test's http_config sets them itself)
my @TempPathDirectives = qw(client_body_temp_path proxy_temp_path
                            fastcgi_temp_path uwsgi_temp_path
                            scgi_temp_path);

our @EXPORT = qw(
    env_to_nginx is_str check_accum_error_log is_running
    $NoLongString no_long_string $ServerAddr server_addr
    $ServerName server_name parse_time verbose sleep_time
    bail_out add_cleanup_handler access_log_data error_log_data
    setup_server_root write_config_file get_canon_version
    get_nginx_version trim show_all_chars parse_headers run_tests
    get_pid_from_pidfile $ServerPortForClient $ServerPort $NginxVersion
    $PidFile $ServRoot $ConfFile $ErrLogFile $RunTestHelper
    $CheckErrorLog $FilterHttpConfig $NoNginxManager $RepeatEach
    $CheckLeak $Benchmark
    add_block_preprocessor timeout worker_connections workers
    master_on master_off config_preamble repeat_each
    master_process_enabled log_level no_shuffle no_root_location
    html_dir server_root server_port server_port_for_client
    no_nginx_manager
);

# ------------------------------------------------------------ setters

sub verbose    { $Verbose }
sub sleep_time { $TestNginxSleep }

sub no_long_string () { $NoLongString = 1 }
sub no_shuffle ()     { $NoShuffle = 1 }
sub no_nginx_manager () { $NoNginxManager = 1 }
sub no_root_location () { $NoRootLocation = 1 }
sub check_accum_error_log () { $CheckAccumErrLog = 1 }
sub config_preamble ($) { $ConfigPreamble = shift }
sub master_on ()  { $MasterProcessEnabled = 'on' }
sub master_off () { $MasterProcessEnabled = 'off' }
sub html_dir ()    { $HtmlDir }
sub server_root () { $ServRoot }

sub master_process_enabled (@) {
    if (@_) {
        $MasterProcessEnabled = shift() ? 'on' : 'off';
        return;
    }
    return $MasterProcessEnabled;
}

sub _getset {
    my ($ref, @args) = @_;
    if (@args) {
        $$ref = $args[0];
        return;
    }
    return $$ref;
}

sub server_addr (@)            { _getset(\$ServerAddr, @_) }
sub server_name (@)            { _getset(\$ServerName, @_) }
sub timeout (@)                { _getset(\$Timeout, @_) }
sub server_port (@)            { _getset(\$ServerPort, @_) }
sub server_port_for_client (@) { _getset(\$ServerPortForClient, @_) }
sub worker_connections (@)     { _getset(\$WorkerConnections, @_) }
sub workers (@)                { _getset(\$Workers, @_) }
sub log_level (@)              { _getset(\$LogLevel, @_) }

sub repeat_each (@) {
    $RepeatEach = shift if @_;
    return $RepeatEach;
}

sub env_to_nginx (@) {
    croak "env_to_nginx: no arguments specified" unless @_;
    for my $v (@_) {
        if ($v !~ /^[A-Za-z_]/ || $v =~ /\n/) {
            croak "env_to_nginx: bad argument value: $v\n";
        }
        push @EnvToNginx, $v;
    }
}

sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }
sub add_cleanup_handler ($)    { unshift @CleanupHandlers, shift }

# ------------------------------------------------------------ helpers

sub parse_time ($) {
    my $tm = shift;
    return $tm unless defined $tm;
    if ($tm =~ s/([^_a-zA-Z])ms$/$1/) {
        $tm = $tm / 1000;
    } else {
        $tm =~ s/([^_a-zA-Z])s$/$1/;
    }
    return $tm;
}

sub trim ($) {
    my $s = shift;
    return undef unless defined $s;
    $s =~ s/^\s+|\s+$//g;
    $s =~ s/\n/ /g;
    $s =~ s/\s{2,}/ /g;
    return $s;
}

sub show_all_chars ($) {
    my $s = shift;
    $s =~ s/\n/\\n/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\t/\\t/g;
    return $s;
}

# "Name: value" lines -> { Name => value }; "!Name" -> { Name => undef }
sub parse_headers ($) {
    my $s = shift;
    my %headers;
    for my $line (split /\n/, $s) {
        $line =~ s/^\s+|\s+$//g;
        if ($line =~ s/^!\s*//) {
            $headers{$line} = undef;
            next;
        }
        my ($key, $val) = split /\s*:\s*/, $line, 2;
        $key = '' unless defined $key;
        $headers{$key} = $val;
    }
    return \%headers;
}

# same as parse_headers but keeps the order of the section's lines
sub parse_headers_ordered ($) {
    my $s = shift;
    my (@order, %seen, %headers);
    for my $line (split /\n/, $s) {
        $line =~ s/^\s+|\s+$//g;
        my ($key, $val);
        if ($line =~ s/^!\s*//) {
            $key = $line;
        } else {
            ($key, $val) = split /\s*:\s*/, $line, 2;
            $key = '' unless defined $key;
        }
        push @order, $key unless $seen{$key}++;
        $headers{$key} = $val;
    }
    return map { [$_, $headers{$_}] } @order;
}

# a short, readable diagnostic for two strings that differ
sub describe_string_diff ($$) {
    my ($got, $expected) = @_;
    my $msg = '';
    my $i = 0;
    my $max = length($got) < length($expected) ? length($got) : length($expected);
    $i++ while $i < $max && substr($got, $i, 1) eq substr($expected, $i, 1);
    my $line = 1 + (substr($got, 0, $i) =~ tr/\n//);
    my $from = $i > 20 ? $i - 20 : 0;
    $msg .= sprintf("got %d bytes, expected %d bytes; first difference at "
                    . "offset %d (line %d)\n", length $got, length $expected,
                    $i, $line);
    $msg .= "  got:      \"" . _esc(substr($got, $from, 50)) . "\"\n";
    $msg .= "  expected: \"" . _esc(substr($expected, $from, 50)) . "\"\n";
    if ($got =~ /\n/ || $expected =~ /\n/) {
        if (eval { require Text::Diff; 1 }) {
            my $diff = Text::Diff::diff(\$expected, \$got,
                                        { STYLE => 'Unified',
                                          FILENAME_A => 'expected',
                                          FILENAME_B => 'got' });
            my @l = split /\n/, $diff;
            if (@l > 200) {
                splice @l, 200;
                push @l, '... (diff truncated)';
            }
            $msg .= join("\n", map { _esc_line($_) } @l) . "\n";
        }
    }
    return $msg;
}

sub _esc {
    my $s = shift;
    $s =~ s/\\/\\\\/g;
    $s =~ s/\n/\\n/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\t/\\t/g;
    $s =~ s/([\x00-\x1f\x7f])/sprintf('\\x%02x', ord $1)/ge;
    return $s;
}

sub _esc_line {
    my $s = shift;
    $s =~ s/\r/\\r/g;
    $s =~ s/([\x00-\x08\x0b-\x1f\x7f])/sprintf('\\x%02x', ord $1)/ge;
    return $s;
}

# string equality with a useful failure report (stands in for
# Test::LongString::is_string, which Debian does not package)
sub is_long_string ($$;$) {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    if (!defined $got || !defined $expected) {
        return Test::More::is($got, $expected, $desc);
    }
    my $ok = Test::More::ok($got eq $expected, $desc);
    Test::More::diag(describe_string_diff($got, $expected)) unless $ok;
    return $ok;
}

sub is_str (@) {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    if (ref $expected && ref $expected eq 'Regexp') {
        return Test::More::like($got, $expected, $desc);
    }
    if ($NoLongString) {
        return Test::More::is($got, $expected, $desc);
    }
    return is_long_string($got, $expected, $desc);
}

# true while $pid exists and is not a zombie
sub is_running ($) {
    my $pid = shift;
    return 0 unless defined $pid && $pid =~ /^\d+$/ && $pid > 0;
    waitpid($pid, WNOHANG);
    return 0 unless kill 0, $pid;
    if (open my $in, '<', "/proc/$pid/stat") {
        my $stat = <$in>;
        close $in;
        return 0 if defined $stat && $stat =~ /^\d+ \(.*\) Z/s;
    }
    return 1;
}

sub _wait_gone ($$) {
    my ($pid, $secs) = @_;
    my $deadline = time + $secs;
    while (is_running($pid)) {
        return 0 if time > $deadline;
        sleep 0.02;
    }
    return 1;
}

sub kill_process ($$$) {
    my ($pid, $wait, $name) = @_;
    return unless is_running($pid);
    kill(SIGQUIT, $pid);
    return if _wait_gone($pid, $wait ? timeout() : 1);
    warn "$name - timeout when waiting for the process $pid to exit, "
         . "sending TERM\n";
    kill(SIGTERM, $pid);
    return if _wait_gone($pid, 2);
    warn "$name - WARNING: killing the process $pid with force...\n";
    kill(SIGKILL, $pid);
    _wait_gone($pid, 2);
}

sub cleanup () {
    $_->() for @CleanupHandlers;
    if (defined $ChildPid) {
        kill_process($ChildPid, 1, "cleanup");
        undef $ChildPid;
    }
}

sub bail_out (@) {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}

sub can_run ($) {
    my $cmd = shift;
    if ($cmd =~ m{/}) {
        return (-f $cmd && -x _) ? $cmd : undef;
    }
    for my $dir (split /:/, $ENV{PATH} || '') {
        next if $dir eq '';
        my $abs = File::Spec->catfile($dir, $cmd);
        return $abs if -f $abs && -x _;
    }
    return undef;
}

sub get_canon_version (@) {
    sprintf "%d.%03d%03d", $_[0], $_[1], $_[2];
}

sub get_nginx_version () {
    my $out = `$NginxBinary -V 2>&1`;
    if (!defined $out || $? != 0) {
        $out = '' unless defined $out;
        bail_out("Failed to get the version of the Nginx in PATH: $out");
    }
    if ($out =~ m{built with OpenSSL (\d+)\.(\d+)\.(\d+)([a-z])?}s) {
        $OpenSSLVersion = get_canon_version($1, $2, $3)
                          . (defined $4 ? sprintf('%03d', ord($4) - ord('a')) : '');
    }
    if ($out =~ m{(?:nginx|openresty)[^/]*/(\d+)\.(\d+)\.(\d+)}s
        || $out =~ m{\w+/(\d+)\.(\d+)\.(\d+)}s)
    {
        $NginxRawVersion = "$1.$2.$3";
        return get_canon_version($1, $2, $3);
    }
    bail_out("Failed to parse the output of \"nginx -V\": $out\n");
}

sub get_pid_from_pidfile ($) {
    my ($name) = @_;
    open my $in, '<', $PidFile
        or bail_out("$name - Failed to open the pid file $PidFile for "
                    . "reading: $!");
    my $pid = do { local $/; <$in> };
    close $in;
    $pid = '' unless defined $pid;
    $pid =~ s/\s+//g;
    return $pid;
}

sub _read_pid_quietly () {
    open my $in, '<', $PidFile or return undef;
    my $pid = do { local $/; <$in> };
    close $in;
    return undef unless defined $pid;
    $pid =~ s/\s+//g;
    return $pid =~ /^\d+$/ ? $pid : undef;
}

sub _tail_file ($$) {
    my ($file, $n) = @_;
    open my $in, '<', $file or return "(cannot open $file: $!)\n";
    my @lines = <$in>;
    close $in;
    splice @lines, 0, @lines - $n if @lines > $n;
    return join '', @lines;
}

sub _slurp ($) {
    my $file = shift;
    open my $in, '<', $file or return '';
    local $/;
    my $s = <$in>;
    close $in;
    return defined $s ? $s : '';
}

sub _lines_since ($$) {
    my ($file, $pos) = @_;
    open my $in, '<', $file or return (undef, $pos);
    seek $in, $pos, 0 if $pos > 0;
    my @lines = <$in>;
    my $new = tell($in);
    close $in;
    return (\@lines, $new);
}

sub error_log_data () {
    # leave time for log-phase messages written after the response
    sleep $TestNginxSleep * 3;
    open my $in, '<', $ErrLogFile or return undef;
    seek $in, $ErrLogFilePos, 0 if !$CheckAccumErrLog && $ErrLogFilePos > 0;
    my @lines = <$in>;
    $ErrLogFilePos = tell($in) unless $CheckAccumErrLog;
    close $in;
    return \@lines;
}

sub access_log_data () {
    sleep $TestNginxSleep * 3;
    open my $in, '<', $AccLogFile or die "open $AccLogFile failed: $!";
    my @lines = <$in>;
    close $in;
    return \@lines;
}

# --------------------------------------------------- config generation

sub gen_rand_port (;$$) {
    my ($tries, $used) = @_;
    $tries ||= 1000;
    $used ||= {};
    for (1 .. $tries) {
        my $port = int(rand 63550) + 1985;
        next if $used->{$port};
        my $sock = IO::Socket::INET->new(LocalAddr => $ServerAddr,
                                         LocalPort => $port,
                                         Proto => 'tcp');
        if ($sock) {
            $sock->close;
            return $port;
        }
    }
    return undef;
}

sub expand_env_in_text ($$$) {
    my ($text, $name, $rand_ports) = @_;
    return undef unless defined $text;
    my %used = ($ServerPort => 1, map { $_ => 1 } values %$rand_ports);
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        my $val;
        if ($var =~ /^TEST_NGINX_RAND_PORT_[0-9]+$/) {
            if (!defined $rand_ports->{$var}) {
                my $p = gen_rand_port(1000, \%used);
                bail_out("$name - Cannot find an available listening port "
                         . "number for $var.\n") unless defined $p;
                $rand_ports->{$var} = $p;
                $used{$p} = 1;
            }
            $val = $rand_ports->{$var};
        } else {
            if (!defined $ENV{$var}) {
                my $hint = $var eq 'TEST_NGINX_HTML_DIR'
                    ? ' (like the real Test::Nginx::Socket, this runner does'
                      . ' not set it: add "$ENV{TEST_NGINX_HTML_DIR} ||='
                      . ' html_dir();" to the .t file)'
                    : '';
                bail_out("$name - No environment $var defined$hint.\n");
            }
            $val = $ENV{$var};
        }
        $val;
    }ge;
    return $text;
}

sub setup_server_root ($) {
    my $first_time = shift;
    if ($ServRoot eq '' || $ServRoot eq '/') {
        bail_out("refusing to use \"$ServRoot\" as TEST_NGINX_SERVROOT");
    }
    if (-d $ServRoot) {
        # only remove what this runner creates, never other user data
        remove_tree($ConfDir, $HtmlDir, $LogDir,
                    glob("$ServRoot/*_cache"), glob("$ServRoot/*_temp"));
    }
    for my $d ($ServRoot, $LogDir, $HtmlDir, $ConfDir) {
        next if -d $d;
        make_path($d) or bail_out("Failed to do mkdir $d: $!\n");
    }
    my $index = "$HtmlDir/index.html";
    open my $out, '>', $index
        or bail_out("Can't open $index for writing: $!\n");
    print $out '<html><head><title>It works!</title></head>'
               . '<body>It works!</body></html>';
    close $out;
}

sub write_user_files ($$) {
    my ($block, $rand_ports) = @_;
    my $name = $block->name;
    my $files = $block->user_files;
    return unless $files;

    if (!ref $files) {
        my @list;
        my ($fname, $body, $date);
        for my $line (split /^/, $files) {
            if ($line =~ />>> (\S+)(?:\s+(.+))?/) {
                push @list, [$fname, $body, $date] if $fname;
                ($fname, $date, $body) = ($1, $2, undef);
            } else {
                $body .= $line;
            }
        }
        push @list, [$fname, $body, $date] if $fname;
        $files = \@list;
    } elsif (ref $files ne 'ARRAY') {
        bail_out("$name - wrong value type: ", ref $files,
                 ", only scalar or ARRAY are accepted");
    }

    for my $file (@$files) {
        my ($fname, $body, $date) = @$file;
        $body = '' unless defined $body;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        if ($path =~ m{(.*)/}) {
            my $dir = $1;
            if (!-d $dir) {
                make_path($dir)
                    or bail_out("$name - Cannot create directory $dir");
            }
        }
        $body = expand_env_in_text($body, $name, $rand_ports);
        open my $out, '>', $path
            or bail_out("$name - Cannot open $path for writing: $!\n");
        binmode $out;
        print $out $body;
        close $out;
        if ($date) {
            system('touch', '-t', $date, $path) == 0
                or bail_out("$name - Failed to set the time of $path to $date\n");
        }
    }
}

sub write_config_file ($$$) {
    my ($block, $config, $rand_ports) = @_;
    my $name = $block->name;

    my $http_config      = $block->http_config;
    my $main_config      = $block->main_config;
    my $post_main_config = $block->post_main_config;
    my $err_log_file     = $block->error_log_file || $ErrLogFile;
    my $server_name      = $block->server_name;
    $server_name = $ServerName unless defined $server_name;

    $config = '' unless defined $config;
    $http_config = expand_env_in_text($http_config, $name, $rand_ports);
    $http_config = '' unless defined $http_config;
    $http_config = $FilterHttpConfig->($http_config) if $FilterHttpConfig;
    $main_config = expand_env_in_text($main_config, $name, $rand_ports);
    $main_config = '' unless defined $main_config;
    $post_main_config = expand_env_in_text($post_main_config, $name,
                                           $rand_ports);
    $post_main_config = '' unless defined $post_main_config;

    my $load_modules = '';
    if ($LoadModules) {
        $load_modules = join '', map { "load_module $_;\n" }
                                 grep { length } split /\s+/, $LoadModules;
    }

    my $env = '';
    for my $v (@EnvToNginx) {
        my $q = $v =~ /\s/ ? "'$v'" : $v;
        $env .= "env $q;\n";
    }

    my $temp_paths = '';
    for my $d (@TempPathDirectives) {
        next if $http_config =~ /\b\Q$d\E\b/;
        (my $dir = $d) =~ s/_path$//;
        $temp_paths .= "    $d $ServRoot/$dir;\n";
    }

    my $listen_opts = $ReusePort ? ' reuseport' : '';
    my $root_location = $NoRootLocation ? '' : <<_EOC_;
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_
    my $use_event = $EventType ? "    use $EventType;\n" : '';
    my $user = '';
    if (defined $WorkerUser) {
        $user = "user $WorkerUser;\n";
    } elsif ($> == 0) {
        $user = "user root;\n";
    }

    open my $out, '>', $ConfFile
        or bail_out("Can't open $ConfFile for writing: $!\n");
    print $out <<_EOC_;
$load_modules
worker_processes  $Workers;
daemon $DaemonEnabled;
master_process $MasterProcessEnabled;
error_log $err_log_file $LogLevel;
pid       $PidFile;
env MOCKEAGAIN_VERBOSE;
env MOCKEAGAIN;
env MOCKEAGAIN_WRITE_TIMEOUT_PATTERN;
env LD_PRELOAD;
env LD_LIBRARY_PATH;
env DYLD_INSERT_LIBRARIES;
env DYLD_FORCE_FLAT_NAMESPACE;
$env
$main_config

http {
    access_log $AccLogFile;

    default_type text/plain;
    keepalive_timeout  68;

$temp_paths
$http_config

    server {
        listen          $ServerPort$listen_opts;
        server_name     '$server_name';

        client_max_body_size 30M;

        # Begin preamble config...
$ConfigPreamble
        # End preamble config...

        # Begin test case config...
$config
        # End test case config.

$root_location    }
}

$post_main_config

events {
    accept_mutex off;

    worker_connections  $WorkerConnections;
$use_event}
env ASAN_OPTIONS;
env MOCKNOEAGAIN_VERBOSE;
env MOCKNOEAGAIN;
$user
_EOC_
    close $out;
}

# ------------------------------------------------------ nginx process

sub _shell_quote ($) {
    my $s = shift;
    return $s if $s =~ m{^[-\w./=:@+,]+$};
    $s =~ s/'/'\\''/g;
    return "'$s'";
}

sub nginx_command () {
    my $cmd = "$NginxBinary -p " . _shell_quote("$ServRoot/")
              . " -c " . _shell_quote($ConfFile);
    # "-e" (nginx >= 1.19.5) sends start-up errors to logs/error.log, where
    # an nginx built with the default error-log path (as the real module
    # assumes) puts them; distribution builds default to stderr or /var/log
    if (defined $NginxVersion && $NginxVersion >= 1.019005) {
        $cmd .= " -e " . _shell_quote($ErrLogFile);
    }
    return $cmd;
}

sub _run_nginx_once ($) {
    my $cmd = shift;
    my $status = system("$cmd >/dev/null 2>" . _shell_quote($StartErrFile));
    return $status;
}

sub _start_failure_diag ($$) {
    my ($cmd, $status) = @_;
    my $msg = "command: $cmd\n";
    $msg .= "exit status: " . ($status == -1 ? "exec failed: $!"
                                : ($status >> 8)) . "\n";
    my $err = _slurp($StartErrFile);
    $msg .= "stderr:\n$err" if length $err;
    $msg .= "tail of $ErrLogFile:\n" . _tail_file($ErrLogFile, 20);
    return $msg;
}

sub _port_accepts () {
    my $sock = IO::Socket::INET->new(PeerAddr => $ServerAddr,
                                     PeerPort => $ServerPortForClient,
                                     Proto => 'tcp', Timeout => 0.5);
    return 0 unless $sock;
    close $sock;
    return 1;
}

# start nginx for a block; returns 1 on success, or a "dry run" reason
# string, or 0 after reporting a failure
sub start_nginx ($$) {
    my ($block, $name) = @_;
    my $cmd = nginx_command();
    my $deadline = time + 6;

    while (1) {
        unlink $PidFile;
        my $status = _run_nginx_once($cmd);
        if ($status == 0) {
            last;
        }
        my $err = _slurp($StartErrFile) . _tail_file($ErrLogFile, 20);
        if ($status != -1 && $err =~ /Address already in use/
            && time < $deadline)
        {
            sleep 0.3;
            next;
        }
        if ($ENV{TEST_NGINX_IGNORE_MISSING_DIRECTIVES}
            && $err =~ /\[emerg\] .*?unknown directive "([^"]+)"/)
        {
            return "the lack of directive $1";
        }
        my $tb = Test::More->builder;
        $tb->no_ending(1);
        Test::More::fail("$name - nginx failed to start");
        Test::More::diag(_start_failure_diag($cmd, $status));
        return 0;
    }

    # nginx binds its sockets before it daemonizes, but wait for the pid
    # file and for the port to accept connections anyway
    my $pid;
    my $ready_deadline = time + 5;
    while (time < $ready_deadline) {
        $pid = _read_pid_quietly() unless $pid;
        if ($pid && !is_running($pid)) {
            last;
        }
        if ($pid && _port_accepts()) {
            sleep $TestNginxSleep;
            return 1;
        }
        sleep 0.02;
    }
    my $tb = Test::More->builder;
    $tb->no_ending(1);
    Test::More::fail("$name - nginx started but "
                     . ($pid && !is_running($pid)
                        ? "its process $pid exited"
                        : "port $ServerAddr:$ServerPortForClient does not "
                          . "accept connections"));
    Test::More::diag(_start_failure_diag($cmd, 0));
    return 0;
}

sub stop_running_nginx ($) {
    my $name = shift;
    my $pid = _read_pid_quietly();
    if ($pid && is_running($pid)) {
        kill_process($pid, 1, $name);
    }
    unlink $PidFile if -f $PidFile;
}

# --------------------------------------------------------------- runner

sub run_tests () {
    $NginxVersion = get_nginx_version();
    $ENV{TEST_NGINX_SERVER_PORT} = $ServerPort
        unless defined $ENV{TEST_NGINX_SERVER_PORT};

    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $NoShuffle;
    for my $block (@blocks) {
        $_->($block) for @BlockPreprocessors;
        $block->set_value("name", $0 . " " . $block->name);
        run_test($block);
        $PrevBlock = $block;
    }
    cleanup();
}

sub _version_cmp_true ($$$) {
    my ($have, $op, $want) = @_;
    return 0 unless defined $have;
    return $have >  $want if $op eq '>';
    return $have >= $want if $op eq '>=';
    return $have <  $want if $op eq '<';
    return $have <= $want if $op eq '<=';
    return 0;
}

sub _skip_info ($) {
    my $block = shift;
    my $name = $block->name;
    my ($tests_to_skip, $should_skip, $skip_reason);

    if (defined(my $skip_eval = $block->skip_eval)) {
        if ($skip_eval =~ /^\s*(\d+)\s*:\s*(.*)/s) {
            $tests_to_skip = $1;
            $skip_reason = "skip_eval";
            my $code = $2;
            $should_skip = eval $code;
            bail_out("$name - skip_eval - failed to eval the Perl code "
                     . "\"$code\": $@") if $@;
        }
    }

    my $ver_re = qr/([<>]=?)\s*(\d+)\.(\d+)\.(\d+)/;
    if (defined(my $spec = $block->skip_nginx)) {
        if ($spec =~ /^\s*(\d+)\s*:\s*$ver_re(?:\s*:\s*(.*))?\s*$/) {
            $tests_to_skip = $1;
            my ($op, $want) = ($2, get_canon_version($3, $4, $5));
            $skip_reason = $6 || "nginx version $op $3.$4.$5";
            $should_skip = 1
                if (!defined $NginxVersion && $op =~ /^</)
                   || _version_cmp_true($NginxVersion, $op, $want);
        } else {
            bail_out("$name - Invalid --- skip_nginx spec: $spec");
        }
    } elsif (defined(my $spec2 = $block->skip_nginx2)) {
        if ($spec2 =~ /^\s*(\d+)\s*:\s*$ver_re\s*(or|and)\s*$ver_re
                       (?:\s*:\s*(.*))?\s*$/x)
        {
            $tests_to_skip = $1;
            my ($opa, $va) = ($2, get_canon_version($3, $4, $5));
            my $x = $6;
            my ($opb, $vb) = ($7, get_canon_version($8, $9, $10));
            $skip_reason = $11;
            my $a = _version_cmp_true($NginxVersion, $opa, $va);
            my $b = _version_cmp_true($NginxVersion, $opb, $vb);
            $should_skip = 1 if !defined $NginxVersion
                                || ($x eq 'or' ? ($a || $b) : ($a && $b));
        } else {
            bail_out("$name - Invalid --- skip_nginx2 spec: $spec2");
        }
    }

    $skip_reason = "various reasons" unless defined $skip_reason;

    my ($should_todo, $todo_reason);
    if (defined(my $todo = $block->todo)) {
        if ($todo =~ /^\s*(\d+)\s*:\s*(.*)/s) {
            $should_todo = 1;
            $tests_to_skip = $1;
            $todo_reason = $2;
        } else {
            bail_out("$name - Invalid --- todo spec: $todo");
        }
    }
    $todo_reason = "various reasons" unless defined $todo_reason;

    return ($tests_to_skip, $should_skip, $skip_reason, $should_todo,
            $todo_reason);
}

# sections of the real module this runner does not implement; a block
# using one gets a warning instead of silently passing
my @UnsupportedSections = qw(
    tcp_listen tcp_reply tcp_query tcp_query_len tcp_reply_delay
    tcp_shutdown tcp_no_close udp_listen udp_reply udp_query
    udp_reply_delay stap stap_out stap_out_like stap_out_unlike
    shutdown_error_log no_shutdown_error_log http2 http3 curl_error
    curl_options curl_protocol reload_fails skip_slave skip_openssl
    todo_nginx server_addr_for_client quic_max_idle_timeout
);

sub run_test ($) {
    my $block = shift;
    return if defined $block->SKIP;

    my $name = $block->name;
    for my $sec (@UnsupportedSections) {
        warn "WARNING: $name - section \"--- $sec\" is not supported by "
             . "ngx_pa's Test::Nginx runner and is ignored\n"
            if defined $block->$sec;
    }
    my $first_time = $FirstTime;
    undef $FirstTime;

    my $rand_ports = {};
    my $config = expand_env_in_text($block->config, $name, $rand_ports);

    local $LogLevel = $LogLevel;
    $LogLevel = $block->log_level if $block->log_level;

    my $dry_run = 0;
    my ($should_restart, $should_reconfig) = (1, 1);

    if (!defined $config) {
        if (!$NoNginxManager && !defined $PrevConfig) {
            bail_out("$name - No '--- config' section specified and could "
                     . "not get previous one. Use TEST_NGINX_NO_NGINX_MANAGER ?");
        }
        # keep the running nginx (and its configuration) as it is
        ($should_restart, $should_reconfig) = (0, 0);
    } elsif ($NoNginxManager) {
        Test::More::diag("NO_NGINX_MANAGER activated: config for $name ignored");
        ($should_restart, $should_reconfig) = (0, 0);
    } else {
        $should_reconfig = (!defined $PrevConfig || $config ne $PrevConfig);
        $should_restart = ($should_reconfig || $ForceRestartOnTest) ? 1 : 0;
    }

    my ($tests_to_skip, $should_skip, $skip_reason, $should_todo,
        $todo_reason) = _skip_info($block);

    if (defined $block->must_die && !$should_skip && !$NoNginxManager) {
        run_must_die_test($block, $config, $rand_ports);
        return;
    }

    if (!$NoNginxManager && !$should_skip && $should_restart) {
        $PrevConfig = $config if $should_reconfig;
        stop_running_nginx($name);
        setup_server_root($first_time);
        write_user_files($block, $rand_ports);
        write_config_file($block, $config, $rand_ports);
        if (!can_run((split ' ', $NginxBinary)[0])) {
            bail_out("$name - Cannot find the nginx executable in the PATH "
                     . "environment");
        }
        $ErrLogFilePos = 0;
        my $started = start_nginx($block, $name);
        if (!$started) {
            undef $PrevConfig;
            return;
        }
        $dry_run = $started if $started ne '1';
    }

    if ($block->init) {
        eval $block->init;
        bail_out("$name - init failed: $@") if $@;
    }

    my $i = 0;
    $ErrLogFilePos = 0;
    while ($i++ < $RepeatEach) {
        write_user_files($block, $rand_ports) if $i > 1;

        if ($should_skip && defined $tests_to_skip) {
            SKIP: {
                Test::More::skip("$name - $skip_reason", $tests_to_skip);
                $RunTestHelper->($block, $dry_run, $i - 1);
            }
        } elsif ($should_todo) {
            TODO: {
                Test::More::todo_skip("$name - $todo_reason", $tests_to_skip);
                $RunTestHelper->($block, $dry_run, $i - 1);
            }
        } else {
            $RunTestHelper->($block, $dry_run, $i - 1);
        }
    }

    if (my $total_errlog = $ENV{TEST_NGINX_ERROR_LOG}) {
        if (-s $ErrLogFile) {
            if (open my $out, '>>', $total_errlog) {
                print $out "\n=== $0 $name\n", _slurp($ErrLogFile);
                close $out;
            }
        }
    }
}

# --- must_die: nginx must refuse to start with this configuration
sub run_must_die_test ($$$) {
    my ($block, $config, $rand_ports) = @_;
    my $name = $block->name;
    my $must_die = $block->must_die;

    stop_running_nginx($name);
    undef $PrevConfig;
    setup_server_root(0);
    write_user_files($block, $rand_ports);
    write_config_file($block, $config, $rand_ports);
    my $cmd = nginx_command();

    for my $i (0 .. $RepeatEach - 1) {
        $ErrLogFilePos = 0;
        my $status = _run_nginx_once($cmd);
        my $exit_code = $status == -1 ? undef : $status >> 8;
        if ($status == -1) {
            Test::More::fail("$name - failed to execute the nginx command line");
        } elsif ($status & 127) {
            Test::More::fail("$name - nginx core dumped or was killed");
        } elsif (looks_like_number($must_die)) {
            Test::More::is($must_die, $exit_code,
                           "$name - die with the expected exit code");
        } else {
            Test::More::isnt($status, 0, "$name - die as expected");
        }

        $CheckErrorLog->($block, undef, 0, $i, 0);

        if ($status == 0) {
            warn "WARNING: $name - nginx must die but it does not; "
                 . "killing it (req $i)\n";
            for (1 .. 15) {
                last if -f $PidFile;
                sleep $TestNginxSleep;
            }
            stop_running_nginx($name);
        }
    }
}

END {
    return if $InSubprocess;
    local $?;
    cleanup();
    if (!$ENV{TEST_NGINX_NO_CLEAN} && !$NoNginxManager) {
        my $pid = _read_pid_quietly();
        if ($pid && is_running($pid)) {
            kill_process($pid, 1, "END");
        }
        unlink $PidFile if defined $PidFile && -f $PidFile;
    }
}

1;
