# pa_thread_pool <name> [sched=idle|batch|normal] (issue 11.3): the
# threads that do the media work run at SCHED_IDLE unless told otherwise,
# so a worker's event loop takes a CPU from them the moment it wakes; the
# event loop itself keeps the normal policy.  What the operator sees with
# ps -L (CLS IDL, B or TS) is what is checked here.  pa_worker_slice
# short: the event loop's time slice the kernel's shortest (0.1 ms), as
# /proc/<pid>/task/<tid>/sched shows it (se.slice, Linux 6.12 and later).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

fresh('t_thread_sched');

our $Conf = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_thread_sched;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
_EOC_

# a photo through the running nginx (curl: the block's own request comes
# after its init), then its threads looked at
our (%Seen, $N);
sub upload_then_look {
    my $name = shift;
    $N++;
    my $code = `curl -s -o /dev/null -w '%{http_code}' -F 'content=Ổ gà giữa đường $N' -F 'reporter_name=Lò Văn K' -F 'reporter_phone=097700088$N' -F lat=22.39 -F lng=103.45 -F 'media=\@$Fix/large.jpg;type=image/jpeg' http://127.0.0.1:$Test::Nginx::Util::ServerPort/api/v1/reports`;
    die "$name: the upload got $code, not 201\n" unless $code eq '201';
    $Seen{$name} = classes();
}

# the process that serves (the worker, or nginx itself without a master):
# its threads' scheduling classes, the event loop's (tid = pid) apart
sub classes {
    open my $f, '<', $Test::Nginx::Util::PidFile or die "pid file: $!";
    chomp(my $pid = <$f>);
    my $w = `pgrep -P $pid | head -1`;
    chomp $w;
    $pid = $w if $w;
    my (%loop, @pool);
    for (`ps -L -o tid=,cls= -p $pid`) {
        my ($tid, $cls) = split;
        if ($tid == $pid) { $loop{$cls}++ } else { push @pool, $cls }
    }
    return { loop => join(',', keys %loop), pool => [sort @pool],
             slice => slices($pid) };
}

# se.slice (ns) of each thread, the event loop's first; none before 6.12
sub slices {
    my $pid = shift;
    my @tids = sort { ($b == $pid) <=> ($a == $pid) || $a <=> $b }
               map { m{/(\d+)$} ? $1 : () } glob("/proc/$pid/task/*");
    my @s;
    for my $t (@tids) {
        open my $f, '<', "/proc/$pid/task/$t/sched" or next;
        my ($v) = map { /^se\.slice\s*:\s*(\d+)/ ? $1 : () } <$f>;
        push @s, $v // -1;
    }
    return \@s;
}

setting(main_config => $Threads, http_config => $Pool . $Conf);

run_tests();

my $d = $Seen{default} or die "TEST 1 did not look\n";
is($d->{loop}, 'TS', 'default: the event loop keeps the normal policy');
ok(scalar(grep { $_ eq 'IDL' } @{ $d->{pool} }),
   'default: the pool threads that did the media work are SCHED_IDLE')
    or diag("pool threads: @{ $d->{pool} }");
is(scalar(grep { $_ ne 'IDL' && $_ ne 'TS' } @{ $d->{pool} }), 0,
   '... the others not yet touched (TS), nothing else');

my $n = $Seen{normal} or die "TEST 2 did not look\n";
is(scalar(grep { $_ ne 'TS' } @{ $n->{pool} }), 0,
   'sched=normal: every pool thread keeps the normal policy')
    or diag("pool threads: @{ $n->{pool} }");

my $b = $Seen{batch} or die "TEST 3 did not look\n";
ok(scalar(grep { $_ eq 'B' } @{ $b->{pool} }),
   'sched=batch: the pool threads that did the work are SCHED_BATCH')
    or diag("pool threads: @{ $b->{pool} }");
is($b->{loop}, 'TS', '... the event loop still the normal policy');

SKIP: {
    my $sl = $Seen{slice} or die "TEST 4 did not look\n";
    skip 'no se.slice in /proc (Linux before 6.12)', 3
        if $sl->{slice}[0] < 0;
    is($sl->{slice}[0], 100000, 'pa_worker_slice short: the event loop '
                                . 'asks for a 0.1 ms slice');
    is(scalar(grep { $_ == 100000 } @{ $sl->{slice} }), 1,
       '... its pool threads keep the default one');
    isnt($d->{slice}[0], 100000, 'without it the event loop keeps the '
                                 . 'default slice');
}

__DATA__

=== TEST 1: the default: a photo taken through the pool, then its threads
--- init
main::upload_then_look('default');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: sched=normal: the same
--- http_config eval
"    pa_thread_pool pa sched=normal;\n$::Conf"
--- init
main::upload_then_look('normal');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: sched=batch: the same
--- http_config eval
"    pa_thread_pool pa sched=batch;\n$::Conf"
--- init
main::upload_then_look('batch');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 4: pa_worker_slice short: the same
--- http_config eval
"    pa_thread_pool pa;\n    pa_worker_slice short;\n$::Conf"
--- init
main::upload_then_look('slice');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 5: an unknown policy stops nginx, naming the choices
--- http_config eval
"    pa_thread_pool pa sched=fifo;\n$::Conf"
--- must_die
--- error_log
invalid "sched" value "fifo": expected idle, batch or normal



=== TEST 6: a parameter other than sched= stops nginx
--- http_config eval
"    pa_thread_pool pa threads=8;\n$::Conf"
--- must_die
--- error_log
invalid parameter "threads=8": expected sched=idle|batch|normal



=== TEST 7: pa_worker_slice takes short or off only
--- http_config eval
"    pa_worker_slice 1ms;\n$::Conf"
--- must_die
--- error_log
invalid value "1ms": expected short or off
