package Test::Nginx::Socket;

# ngx_pa's stand-in for the CPAN Test::Nginx::Socket (openresty/test-nginx),
# written from its documentation and observed behaviour for the subset of
# features the project's t/*.t files use, so that the same .t files run
# unchanged under either. See tests/test-nginx/README.md.

use v5.10.1;
use Test::Base -base;

our $VERSION = '0.29_pa1';

use Encode ();
use Time::HiRes qw(sleep time);
use IO::Select ();
use IO::Socket::INET ();
use POSIX qw(EAGAIN EWOULDBLOCK EINTR);
use HTTP::Response ();
use Digest::MD5 ();
use Digest::SHA ();

use Test::Nginx::Util;

our @EXPORT = qw( env_to_nginx is_str plan run_tests run_test
  repeat_each config_preamble worker_connections
  master_process_enabled
  no_long_string workers master_on master_off
  log_level no_shuffle no_root_location
  server_name
  server_addr server_root html_dir server_port server_port_for_client
  timeout no_nginx_manager check_accum_error_log
  add_block_preprocessor bail_out add_cleanup_handler
  add_response_body_check
);

our @ResponseBodyChecks;

sub value_contains ($$);
sub send_request ($$$$);
sub check_error_log ($$$$$);

$RunTestHelper = \&run_test_helper;
$CheckErrorLog = \&check_error_log;

sub set_http_config_filter ($) { $FilterHttpConfig = shift }
sub add_response_body_check ($) { push @ResponseBodyChecks, shift }

# ------------------------------------------------------------- requests

# "METH [URL [VERSION]]\nbody" -> parts; the body is everything after the
# first line
sub parse_request ($$) {
    my ($name, $str) = @_;
    if (!defined $str || $str eq '') {
        bail_out("$name - Request line should be non-empty");
    }
    my ($first, $body);
    if ($str =~ /\A([^\n]*\n?)(.*)\z/s) {
        ($first, $body) = ($1, $2);
    }
    my ($meth, $url, $ver);
    if ($first =~ /^\s*(\S+) *(?:(\S+) *)?(?:(\S+) *)?\s*$/) {
        ($meth, $url, $ver) = ($1, $2, $3);
    } else {
        bail_out("$name - Request line is not valid. Should be 'meth [url "
                 . "[version]]' but got \"$first\".");
    }
    $url = '/' unless defined $url;
    $ver = 'HTTP/1.1' unless defined $ver;
    return { method => $meth, url => $url, http_ver => $ver,
             content => defined $body ? $body : '',
             body_offset => length $first };
}

sub parse_more_headers ($) {
    my ($in) = @_;
    my $out = '';
    my $is_chunked;
    for my $header (split /\n+/, $in) {
        next if $header =~ /^\s*\#/;
        my ($key, $val) = split /:\s*/, $header, 2;
        $val = '' unless defined $val;
        $is_chunked = 1
            if lc($key) eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }
    return ($out, $is_chunked);
}

# Turn one request spec (a list of packets whose concatenation is
# "METH URL [VER]\nbody") into the packets actually sent: the request line
# is normalised, Host/Connection/Content-Length are added and, when the
# length is computed here, the body is trimmed of surrounding whitespace.
sub build_request_from_packets ($$$$$) {
    my ($name, $more_headers, $is_chunked, $conn, $packets) = @_;
    my $whole = join '', map { defined $_ ? $_ : '' } @$packets;
    my $req = parse_request($name, $whole);

    my $body = $req->{content};
    my $body_start = $req->{body_offset};
    my $len_header = '';
    if (!$is_chunked && $body ne ''
        && $more_headers !~ /(?:^|\n)Content-Length:/)
    {
        my ($lead) = $body =~ /\A(\s*)/;
        $body_start += length $lead;
        $body =~ s/^\s+|\s+$//gs;
        $len_header = "Content-Length: " . length($body) . "\r\n";
    }

    $more_headers =~ s/(?<!\r)\n/\r\n/g;
    my $headers = '';
    $headers .= "Host: $ServerName\r\n"
        unless $more_headers =~ /(?:^|\n)Host:/msi;
    $headers .= "Connection: $conn\r\n"
        unless $more_headers =~ /(?:^|\n)Connection/msi;
    my $head = "$req->{method} $req->{url} $req->{http_ver}\r\n"
               . "$headers$more_headers$len_header\r\n";

    return [$head . $body] if @$packets <= 1;

    # keep the caller's packet boundaries: those inside the body stay at
    # the same body offset, earlier ones move to the end of the head
    my @out;
    my ($orig_off, $prev_new) = (0, 0);
    my $full = $head . $body;
    for my $k (0 .. $#$packets - 1) {
        $orig_off += length(defined $packets->[$k] ? $packets->[$k] : '');
        my $rel = $orig_off - $body_start;
        $rel = 0 if $rel < 0;
        $rel = length $body if $rel > length $body;
        my $new = length($head) + $rel;
        $new = $prev_new if $new < $prev_new;
        push @out, substr($full, $prev_new, $new - $prev_new);
        $prev_new = $new;
    }
    push @out, substr($full, $prev_new);
    return \@out;
}

sub _hdr_for ($$$) {
    my ($more_headers, $i, $what) = @_;
    if (ref $more_headers eq 'ARRAY') {
        my $hdr = $more_headers->[$i];
        bail_out("--- more_headers lacks data for the $what")
            unless defined $hdr;
        return parse_more_headers($hdr);
    }
    return parse_more_headers($more_headers);
}

sub _warn_unexpanded ($$$) {
    my ($block, $what, $val) = @_;
    return if ref $val || !defined $val;
    if ($val =~ /\$(TEST_NGINX_[_A-Z0-9]+)/) {
        warn "WARNING: ", $block->name, " - \$$1 in --- $what is sent "
             . "literally: Test::Nginx only expands \$TEST_NGINX_* in the "
             . "config sections (use \"$what eval\" with \$ENV{$1})\n";
    }
}

# list of requests; each request is a list of { value, delay_before }
sub get_req_from_block ($) {
    my ($block) = @_;
    my $name = $block->name;
    my @req_list;

    if (defined $block->raw_request) {
        my $raw = $block->raw_request;
        if (ref $raw && ref $raw eq 'ARRAY') {
            push @req_list, [map { { value => $_ } } @$raw];
        } else {
            push @req_list, [{ value => $raw }];
        }
        return \@req_list;
    }

    my $request;
    if (defined $block->request_eval) {
        diag "$name - request_eval DEPRECATED. Use request eval instead.";
        $request = eval $block->request_eval;
        warn $@ if $@;
    } else {
        $request = $block->request;
        if (defined $request && !ref $request) {
            # leading blank space and "# comment" lines are ignored
            1 while $request =~ s/^\s*\#[^\n]+\s+|^\s+//gs;
        }
    }

    my $more_headers = $block->more_headers;
    $more_headers = '' unless defined $more_headers;
    if (ref $more_headers eq 'ARRAY') {
        _warn_unexpanded($block, 'more_headers', $_) for @$more_headers;
    } else {
        _warn_unexpanded($block, 'more_headers', $more_headers);
    }
    _warn_unexpanded($block, 'request', $request);

    if ($block->pipelined_requests) {
        my $reqs = $block->pipelined_requests;
        if (!ref $reqs || ref $reqs ne 'ARRAY') {
            bail_out("$name - invalid entries in --- pipelined_requests");
        }
        my $all = '';
        for my $i (0 .. $#$reqs) {
            my $conn = $i == $#$reqs ? 'close' : 'keep-alive';
            my ($hdr, $chunked) = _hdr_for($more_headers, $i,
                                           "$i pipelined request");
            my $r = build_request_from_packets($name, $hdr, $chunked, $conn,
                                               [$reqs->[$i]]);
            $all .= $r->[0];
        }
        push @req_list, [{ value => $all }];
        return \@req_list;
    }

    if (!ref $request) {
        my ($hdr, $chunked) = _hdr_for($more_headers, 0, "request");
        my $r = build_request_from_packets($name, $hdr, $chunked, 'close',
                                           [$request]);
        push @req_list, [{ value => $r->[0] }];

    } elsif (ref $request eq 'ARRAY') {
        my $i = 0;
        for my $one (@$request) {
            my ($hdr, $chunked) = _hdr_for($more_headers, $i, "${i}th request");
            if (!ref $one) {
                my $r = build_request_from_packets($name, $hdr, $chunked,
                                                   'close', [$one]);
                push @req_list, [{ value => $r->[0] }];

            } elsif (ref $one eq 'ARRAY') {
                my @values;
                for my $p (@$one) {
                    if (!ref $p) {
                        push @values, $p;
                    } elsif (ref $p eq 'HASH') {
                        push @values, $p->{value};
                    } else {
                        bail_out("$name - Invalid syntax. $p should be a "
                                 . "string or hash with value.");
                    }
                }
                my $out = build_request_from_packets($name, $hdr, $chunked,
                                                     'close', \@values);
                my @pk;
                for my $k (0 .. $#$out) {
                    my %p = ref $one->[$k] eq 'HASH' ? %{ $one->[$k] } : ();
                    $p{value} = $out->[$k];
                    push @pk, \%p;
                }
                push @req_list, \@pk;

            } else {
                bail_out("$name - Invalid syntax. $one should be a string "
                         . "or an array of packets.");
            }
            $i++;
        }

    } else {
        bail_out("$name - invalid ---request : MUST be string or array of "
                 . "requests");
    }

    return \@req_list;
}

sub _connect ($$) {
    my ($name, $timeout) = @_;
    my $total = 50;
    for my $try (1 .. $total) {
        my $sock = IO::Socket::INET->new(PeerAddr => $ServerAddr,
                                         PeerPort => $ServerPortForClient,
                                         Proto    => 'tcp',
                                         Timeout  => $timeout);
        return $sock if $sock;
        my $err = $!;
        last if $try == $total;
        my $wait = (sleep_time() + sleep_time() * $try) * $try / 2;
        $wait = 1 if $wait > 1;
        if ($wait >= 0.6) {
            warn "$name - Can't connect to $ServerAddr:$ServerPortForClient: "
                 . "$err\n\tRetry connecting after $wait sec\n";
        }
        sleep $wait;
    }
    my $tb = Test::More->builder;
    $tb->no_ending(1);
    fail("$name - Can't connect to $ServerAddr:$ServerPortForClient: $! "
         . "(aborted)\n");
    return undef;
}

# send one request (a list of packets) on a new connection and read until
# the server closes it or the timeout (between two I/O events) expires
sub send_request ($$$$) {
    my ($packets, $middle_delay, $timeout, $block) = @_;
    my $name = $block->name;
    my @bits = @$packets;
    my $head_req = (join '', map { $_->{value} } @bits) =~ /^\s*HEAD\s+/
                   ? 1 : 0;

    my $sock = _connect($name, $timeout) or return (undef, $head_req);
    $sock->blocking(0);
    local $SIG{PIPE} = 'IGNORE';

    my $resp = '';
    my $buf = (shift @bits)->{value};
    $buf = '' unless defined $buf;
    my $off = 0;
    my $writing = 1;
    my $sel = IO::Select->new($sock);

    IO: while (1) {
        $! = 0;
        my ($r, $w) = IO::Select->select($sel, $writing ? $sel : undef,
                                         undef, $timeout);
        if (!$r && !$w) {
            next IO if $! == EINTR;
            close $sock;
            if (!defined $block->abort) {
                my $tb = Test::More->builder;
                $tb->no_ending(1);
                fail("ERROR: client socket timed out - $name\n");
            } else {
                sleep 0.005;
            }
            return ($resp, $head_req);
        }

        if ($w && @$w) {
            WRITE: while (1) {
                if ($off < length $buf) {
                    my $n = syswrite($sock, $buf, length($buf) - $off, $off);
                    if (!defined $n) {
                        last WRITE if $! == EAGAIN || $! == EWOULDBLOCK;
                        warn "write failed: $!\n";
                        $resp = "write failed: $!" if $resp eq '';
                        close $sock;
                        return ($resp, $head_req);
                    }
                    $off += $n;
                    next WRITE;
                }
                my $next = shift @bits;
                if (!defined $next) {
                    $writing = 0;
                    if (defined(my $sd = $block->shutdown)) {
                        $sd = 1 if $sd =~ /^\s*$/s;
                        shutdown($sock, $sd);
                    }
                    last WRITE;
                }
                my $delay = defined $next->{delay_before}
                            ? $next->{delay_before} : $middle_delay;
                sleep $delay if $delay;
                $buf = defined $next->{value} ? $next->{value} : '';
                $off = 0;
            }
        }

        if ($r && @$r) {
            while (1) {
                my $chunk;
                my $n = sysread($sock, $chunk, 4096);
                if (!defined $n) {
                    last if $! == EAGAIN || $! == EWOULDBLOCK;
                    warn "WARNING: $name - HTTP response read failure: $!";
                    last IO;
                }
                last IO if $n == 0;
                $resp .= $chunk;
            }
        }
    }

    close $sock;
    return ($resp, $head_req);
}

# ------------------------------------------------------------ responses

sub parse_response ($$$) {
    my ($name, $raw, $head_req) = @_;
    my $left;
    my $raw_headers = '';
    $raw_headers = $1 if $raw =~ /(.*?\r\n)\r\n/s;

    my $res = HTTP::Response->parse($raw);
    my $code = $res->code;
    if ($code && $code !~ /^\d+$/) {
        undef $code;
        $res->code(undef);
    }
    return ($res, $raw_headers) if $code && ($code == 304 || $code == 101);

    my $enc = $res->header('Transfer-Encoding');
    my $len = $res->header('Content-Length');

    if (defined $enc && $enc eq 'chunked') {
        my $data = $res->content;
        $data = '' unless defined $data;
        my $decoded = '';
        pos($data) = 0;
        while (1) {
            if ($data =~ /\G0[ \t]*\r\n\r\n/gc) {
                $left = $1 if $data =~ /\G(.+)/gcs;
                last;
            }
            if ($data =~ /\G[ \t]*([A-Fa-f0-9]+)[ \t]*\r\n/gc) {
                my $size = hex $1;
                if (length($data) - pos($data) < $size) {
                    my $tb = Test::More->builder;
                    $tb->no_ending(1);
                    fail("$name - invalid chunked data received (not enought "
                         . "octets for the data section)");
                    return;
                }
                $decoded .= substr($data, pos($data), $size);
                pos($data) += $size;
                if ($data !~ /\G\r\n/gc) {
                    my $tb = Test::More->builder;
                    $tb->no_ending(1);
                    fail("$name - invalid chunked data received (expected "
                         . "CRLF).");
                    return;
                }
            } elsif ($data =~ /\G(.+)/gcs) {
                my $tb = Test::More->builder;
                $tb->no_ending(1);
                fail("$name - invalid chunked body received: $1");
                return;
            } else {
                my $tb = Test::More->builder;
                $tb->no_ending(1);
                fail("$name - no last chunk found - $data");
                return;
            }
        }
        $res->content($decoded);

    } elsif (defined $len && $len ne '' && $len >= 0) {
        my $body = $res->content;
        $body = '' unless defined $body;
        if (length $body < $len) {
            warn "WARNING: $name - response body truncated: $len expected, "
                 . "but got ", length $body, "\n" unless $head_req;
        } elsif (length $body > $len) {
            $left = substr $body, $len;
            $res->content(substr $body, 0, $len);
        }
    }

    return ($res, $raw_headers, $left);
}

sub get_indexed_value ($$$$) {
    my ($name, $value, $req_idx, $need_array) = @_;
    if ($need_array) {
        return $value->[$req_idx] if ref $value && ref $value eq 'ARRAY';
        bail_out("$name - You asked for many requests, the expected results "
                 . "should be arrays as well.");
    }
    if (ref $value && ref $value eq 'ARRAY') {
        bail_out("$name - SHOULD NOT HAPPEN: idx != 0 and don't need array.")
            if $req_idx != 0;
        return $value->[0];
    }
    return $value;
}

sub _skip_if_dry ($$) {
    my ($name, $dry_run) = @_;
    return $dry_run ? "$name - tests skipped due to $dry_run" : undef;
}

sub check_error_code ($$$$$) {
    my ($block, $res, $dry_run, $req_idx, $need_array) = @_;
    my $name = $block->name;
    my $got = ($res && $res->code) || '';
    SKIP: {
        skip "$name - tests skipped due to $dry_run", 1 if $dry_run;
        if (defined $block->error_code_like) {
            my $val = get_indexed_value($name, $block->error_code_like,
                                        $req_idx, $need_array);
            like($got, qr/$val/sm, "$name - status code ok");
        } elsif (defined $block->error_code) {
            is($got, get_indexed_value($name, $block->error_code, $req_idx,
                                       $need_array),
               "$name - status code ok");
        } else {
            is($got, 200, "$name - status code ok");
        }
    }
}

sub check_raw_response_headers ($$$$$) {
    my ($block, $raw_headers, $dry_run, $req_idx, $need_array) = @_;
    my $name = $block->name;
    for my $t (['raw_response_headers_like', 1],
               ['raw_response_headers_unlike', 0])
    {
        my ($sec, $is_like) = @$t;
        next unless defined $block->$sec;
        SKIP: {
            skip "$name - $sec - tests skipped due to $dry_run", 1 if $dry_run;
            my $pat = get_indexed_value($name, $block->$sec, $req_idx,
                                        $need_array);
            if ($is_like) {
                like($raw_headers, qr/$pat/s, "$name - raw resp headers like");
            } else {
                unlike($raw_headers, qr/$pat/s,
                       "$name - raw resp headers unlike");
            }
        }
    }
}

sub check_response_headers ($$$$$$) {
    my ($block, $res, $raw_headers, $dry_run, $req_idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->response_headers) {
        my $spec = get_indexed_value($name, $block->response_headers,
                                     $req_idx, $need_array);
        for my $h (Test::Nginx::Util::parse_headers_ordered($spec)) {
            my ($key, $val) = @$h;
            if (!defined $val) {
                SKIP: {
                    skip "$name - response_headers - tests skipped due to "
                         . "$dry_run", 1 if $dry_run;
                    unlike($raw_headers, qr/^\s*\Q$key\E\s*:/ms,
                           "$name - header $key not present in the raw "
                           . "headers");
                }
                next;
            }
            $val =~ s/\$ServerPort\b/$ServerPort/g;
            $val =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
            my $actual = $res ? $res->header($key) : undef;
            $actual = '' unless defined $actual;
            SKIP: {
                skip "$name - response_headers - tests skipped due to "
                     . "$dry_run", 1 if $dry_run;
                is($actual, $val, "$name - header $key ok");
            }
        }

    } elsif (defined $block->response_headers_like) {
        my $spec = get_indexed_value($name, $block->response_headers_like,
                                     $req_idx, $need_array);
        for my $h (Test::Nginx::Util::parse_headers_ordered($spec)) {
            my ($key, $val) = @$h;
            $val = '' unless defined $val;
            my $actual = $res ? $res->header($key) : undef;
            $actual = '' unless defined $actual;
            SKIP: {
                skip "$name - response_headers_like - tests skipped due to "
                     . "$dry_run", 1 if $dry_run;
                like($actual, qr/^$val$/, "$name - header $key like ok");
            }
        }
    }
}

sub _run_body_filter ($$$) {
    my ($block, $filter, $content) = @_;
    my $name = $block->name;
    if (ref $filter eq 'CODE') {
        return $filter->($content);
    }
    if (!ref $filter) {
        return Digest::MD5::md5_hex($content) if $filter eq 'md5_hex';
        return Digest::SHA::sha1_hex($content) if $filter eq 'sha1_hex';
        return uc $content if $filter eq 'uc';
        return lc $content if $filter eq 'lc';
        return ucfirst $content if $filter eq 'ucfirst';
        return lcfirst $content if $filter eq 'lcfirst';
        return length $content if $filter eq 'length';
        bail_out("$name - unknown filter, \"$filter\", specified in the --- "
                 . "response_body_filters section");
    }
    bail_out("$name - the --- response_body_filters section only supports "
             . "subroutine reference values and string values");
}

sub transform_response_body ($$$) {
    my ($block, $res, $req_idx) = @_;
    return unless defined $res;
    my $content = $res->content;
    return unless defined $content;
    my $filters = $block->response_body_filters;
    return unless defined $filters;

    if (!ref $filters) {
        $filters =~ s/^\s+|\s+$//gs;
        $filters = [split /\s+/, $filters];
    } elsif (ref $filters ne 'ARRAY') {
        $filters = [$filters];
    }
    my $f = $filters;
    if (ref $filters->[0] eq 'ARRAY') {
        $f = $filters->[$req_idx];
        bail_out($block->name . " - the ---response_body_filters "
                 . "two-dimensional array unmatch the specified "
                 . "request($req_idx)") unless defined $f;
    }
    $f = [$f] unless ref $f eq 'ARRAY';
    $content = _run_body_filter($block, $_, $content) for @$f;
    $res->content($content);
}

sub check_response_body ($$$$$$) {
    my ($block, $res, $dry_run, $req_idx, $repeated_req_idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->response_body || defined $block->response_body_eval) {
        my $content = $res ? $res->content : undef;
        if (defined $content) {
            $content =~ s/^TE: deflate,gzip;q=0\.3\r\n//gms;
            $content =~ s/^Connection: TE, close\r\n//gms;
        }
        my $expected;
        if ($block->response_body_eval) {
            diag "$name - response_body_eval is DEPRECATED. Use response_body "
                 . "eval instead.";
            $expected = eval get_indexed_value($name,
                                               $block->response_body_eval,
                                               $req_idx, $need_array);
            warn $@ if $@;
        } else {
            $expected = get_indexed_value($name, $block->response_body,
                                          $req_idx, $need_array);
        }
        if ($block->charset && defined $expected && !ref $expected) {
            Encode::from_to($expected, 'UTF-8', $block->charset);
        }
        if (defined $expected && !ref $expected) {
            $expected =~ s/\$ServerPort\b/$ServerPort/g;
            $expected =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        }
        _warn_unexpanded($block, 'response_body', $expected);

        SKIP: {
            skip "$name - response_body - tests skipped due to $dry_run", 1
                if $dry_run;
            my $desc = "$name - response_body - response is expected "
                       . "(repeated req $repeated_req_idx, req $req_idx)";
            if (ref $expected) {
                like($content, $expected, "$name - response_body - like "
                     . "(repeated req $repeated_req_idx, req $req_idx)");
            } elsif ($NoLongString) {
                is($content, $expected, $desc);
            } else {
                Test::Nginx::Util::is_long_string($content, $expected, $desc);
            }
        }

    } elsif (defined $block->response_body_like
             || defined $block->response_body_unlike)
    {
        my ($patterns, $type, $cmp);
        if (defined $block->response_body_like) {
            ($patterns, $type, $cmp) = ($block->response_body_like, 'like',
                                        \&Test::More::like);
        } else {
            ($patterns, $type, $cmp) = ($block->response_body_unlike,
                                        'unlike', \&Test::More::unlike);
        }
        my $content = $res ? $res->content : undef;
        if (defined $content) {
            $content =~ s/^TE: deflate,gzip;q=0\.3\r\n//gms;
            $content =~ s/^Connection: TE, close\r\n//gms;
        }
        my $pat = get_indexed_value($name, $patterns, $req_idx, $need_array);
        if (!ref $pat) {
            $pat =~ s/\$ServerPort\b/$ServerPort/g;
            $pat =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        }
        my $summary = trim($content);
        $summary = '' unless defined $summary;
        $summary = substr($summary, 0, 200) . '...' if length $summary > 200;
        SKIP: {
            skip "$name - response_body_$type - tests skipped due to "
                 . "$dry_run", 1 if $dry_run;
            local $Test::Builder::Level = $Test::Builder::Level + 1;
            $cmp->($content, qr/$pat/s,
                   "$name - response_body_$type - response is expected "
                   . "($summary)");
        }
    }

    for my $check (@ResponseBodyChecks) {
        $check->($block, $res ? $res->content : undef, $req_idx,
                 $repeated_req_idx, $dry_run);
    }
}

# ------------------------------------------------------------------ logs

sub fmt_str ($) {
    my $s = shift;
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

sub value_contains ($$) {
    my ($val, $pat) = @_;
    return 0 unless defined $val;
    if (!ref $val || ref $val eq 'Regexp') {
        return $val =~ /\Q$pat\E/ ? 1 : 0;
    }
    if (ref $val eq 'ARRAY') {
        for my $v (@$val) {
            return 1 if value_contains($v, $pat);
        }
    }
    return 0;
}

sub _pattern_list ($) {
    my $pats = shift;
    if (!ref $pats) {
        chomp $pats;
        return [split /\n+/, $pats];
    }
    return [$pats] if ref $pats eq 'Regexp';
    return [@$pats];
}

sub _line_matches ($$) {
    my ($line, $pat) = @_;
    return (ref $pat && $line =~ /$pat/) || $line =~ /\Q$pat\E/;
}

sub _check_log_patterns ($$$$$$) {
    my ($name, $log, $want, $forbid, $dry_run, $req) = @_;
    my $lines = $log->();
    $lines = [] unless $lines;

    if (defined $want) {
        my $pats = _pattern_list($want);
        for my $line (@$lines) {
            for my $pat (@$pats) {
                next unless defined $pat;
                if (_line_matches($line, $pat)) {
                    SKIP: {
                        skip "$name - error_log - tests skipped due to "
                             . "$dry_run", 1 if $dry_run;
                        pass("$name - pattern \"$pat\" matches a line in "
                             . "error.log (req $req)");
                    }
                    undef $pat;
                }
            }
        }
        for my $pat (@$pats) {
            next unless defined $pat;
            SKIP: {
                skip "$name - error_log - tests skipped due to $dry_run", 1
                    if $dry_run;
                fail("$name - pattern \"$pat\" should match a line in "
                     . "error.log (req $req)");
            }
        }
    }

    if (defined $forbid) {
        my $pats = _pattern_list($forbid);
        my %found;
        for my $i (0 .. $#$lines) {
            my $line = $lines->[$i];
            for my $pat (@$pats) {
                next unless defined $pat;
                next unless _line_matches($line, $pat);
                if ($found{$pat}++) {
                    Test::More->builder->no_ending(1);
                }
                SKIP: {
                    skip "$name - no_error_log - tests skipped due to "
                         . "$dry_run ($line)", 1 if $dry_run;
                    my $end = $i + 10 < $#$lines ? $i + 10 : $#$lines;
                    my @more = @$lines[$i + 1 .. $end];
                    fail("$name - pattern \"" . fmt_str($pat) . "\" should "
                         . "not match any line in error.log but matches "
                         . "line \"" . fmt_str($line) . "\" (req $req)\n"
                         . join '', @more);
                }
            }
        }
        for my $pat (@$pats) {
            next if !defined $pat || $found{$pat};
            SKIP: {
                skip "$name - no_error_log - tests skipped due to $dry_run", 1
                    if $dry_run;
                pass("$name - pattern \"" . fmt_str($pat) . "\" does not "
                     . "match a line in error.log (req $req)");
            }
        }
    }
    return $lines;
}

sub check_error_log ($$$$$) {
    my ($block, $res, $dry_run, $repeated_req_idx, $need_array) = @_;
    my $name = $block->name;
    my $lines;
    my $log = sub { $lines ||= error_log_data() };

    # grep_error_log / grep_error_log_out
    my $grep_pats = $block->grep_error_log;
    my $grep_pat;
    if (defined $grep_pats) {
        $grep_pat = ref $grep_pats eq 'ARRAY'
                    ? $grep_pats->[$repeated_req_idx] : $grep_pats;
    } elsif (defined $block->grep_error_log_out) {
        bail_out("$name - No --- grep_error_log defined but --- "
                 . "grep_error_log_out is defined");
    }
    if (defined $grep_pat) {
        my $expected = $block->grep_error_log_out;
        bail_out("$name - No --- grep_error_log_out defined but --- "
                 . "grep_error_log is defined") unless defined $expected;
        $expected = $expected->[$repeated_req_idx]
            if ref $expected eq 'ARRAY';
        SKIP: {
            skip "$name - error_log - tests skipped due to $dry_run", 1
                if $dry_run;
            my $matched = '';
            for my $line (@{ $log->() || [] }) {
                if ((ref $grep_pat && $line =~ /$grep_pat/)
                    || $line =~ /\Q$grep_pat\E/)
                {
                    $matched .= "$&\n" if $& !~ /\n/;
                }
            }
            my $desc = "$name - grep_error_log_out (req $repeated_req_idx)";
            if (ref $expected eq 'Regexp') {
                like($matched, $expected, $desc);
            } else {
                is_str($matched, $expected, $desc);
            }
        }
    }

    my $want = $block->error_log;
    my $forbid = $block->no_error_log;
    if (defined $want || defined $forbid) {
        _check_log_patterns($name, $log, $want, $forbid, $dry_run,
                            $repeated_req_idx);
    }

    return if $dry_run;

    # like the real module: warn about serious messages nobody asked about
    for my $lvl (qw(alert crit emerg)) {
        next if value_contains($want, "[$lvl") || value_contains($forbid, "[$lvl");
        for my $line (@{ $log->() || [] }) {
            warn "WARNING: $name - " . fmt_str($line) . "\n"
                if $line =~ /\[$lvl\]/;
        }
    }
    for my $line (@{ $log->() || [] }) {
        if ($line =~ /\bAssertion .*?failed\b/) {
            Test::More->builder->no_ending(1);
            chomp(my $l = $line);
            fail("$name - $l\n");
        }
    }
}

sub check_access_log ($$$) {
    my ($block, $dry_run, $repeated_req_idx) = @_;
    my $name = $block->name;
    my $lines;

    if (defined $block->access_log) {
        my $pats = _pattern_list($block->access_log);
        $lines ||= access_log_data();
        for my $line (@$lines) {
            for my $pat (@$pats) {
                next unless defined $pat;
                if (_line_matches($line, $pat)) {
                    SKIP: {
                        skip "$name - access_log - tests skipped due to "
                             . "$dry_run", 1 if $dry_run;
                        pass("$name - pattern \"$pat\" matches a line in "
                             . "access.log (req $repeated_req_idx)");
                    }
                    undef $pat;
                }
            }
        }
        for my $pat (grep { defined } @$pats) {
            SKIP: {
                skip "$name - access_log - tests skipped due to $dry_run", 1
                    if $dry_run;
                fail("$name - pattern \"$pat\" should match a line in "
                     . "access.log (req $repeated_req_idx)");
            }
        }
    }

    if (defined $block->no_access_log) {
        my $pats = _pattern_list($block->no_access_log);
        my %found;
        $lines ||= access_log_data();
        for my $line (@$lines) {
            for my $pat (@$pats) {
                next unless defined $pat && _line_matches($line, $pat);
                Test::More->builder->no_ending(1) if $found{$pat}++;
                SKIP: {
                    skip "$name - no_access_log - tests skipped due to "
                         . "$dry_run ($line)", 1 if $dry_run;
                    fail("$name - pattern \"" . fmt_str($pat) . "\" should "
                         . "not match any line in access.log but matches "
                         . "line \"" . fmt_str($line) . "\" (req "
                         . "$repeated_req_idx)\n");
                }
            }
        }
        for my $pat (@$pats) {
            next if !defined $pat || $found{$pat};
            SKIP: {
                skip "$name - no_access_log - tests skipped due to $dry_run", 1
                    if $dry_run;
                pass("$name - pattern \"" . fmt_str($pat) . "\" does not "
                     . "match a line in access.log (req $repeated_req_idx)");
            }
        }
    }
}

# ------------------------------------------------------------ one block

sub run_test_helper ($$$) {
    my ($block, $dry_run, $repeated_req_idx) = @_;
    my $name = $block->name;

    my $reqs = get_req_from_block($block);
    bail_out("$name - request empty") unless @$reqs;

    my $timeout = parse_time($block->timeout);
    $timeout = timeout() if !defined $timeout || $timeout eq '';

    my ($res, $need_array, $n);
    my $req_idx = 0;

    for my $k (0 .. $#$reqs) {
        my ($raw, $head_req);
        if ($dry_run) {
            $raw = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
        } else {
            ($raw, $head_req) = send_request($reqs->[$k],
                                             $block->raw_request_middle_delay,
                                             $timeout, $block);
        }

        if ($block->pipelined_requests) {
            $n = @{ $block->pipelined_requests };
            $need_array = 1;
        } else {
            $n = 0;
            $need_array = @$reqs > 1;
        }

        # one pass per response; pipelined responses share one raw stream
        while (1) {
            $raw = '' unless defined $raw;
            my ($raw_headers, $left);
            if (!defined $block->ignore_response) {
                if (defined $block->http09) {
                    $res = HTTP::Response->new(200, "OK", [], $raw);
                    $raw_headers = '';
                } else {
                    ($res, $raw_headers, $left) = parse_response($name, $raw,
                                                                 $head_req);
                }
            }

            if (!$n) {
                if (defined $left && length $left) {
                    (my $l = $left) =~ s/([\0-\037\200-\377])/sprintf('\\x{%02x}', ord $1)/eg;
                    warn "WARNING: $name - unexpected extra bytes after last "
                         . "chunk in response: \"$l\"\n";
                }
            } else {
                $raw = $left;
                $n--;
            }

            if (!defined $block->ignore_response) {
                check_error_code($block, $res, $dry_run, $req_idx,
                                 $need_array);
                check_raw_response_headers($block, $raw_headers, $dry_run,
                                           $req_idx, $need_array);
                check_response_headers($block, $res, $raw_headers, $dry_run,
                                       $req_idx, $need_array);
                transform_response_body($block, $res, $req_idx);
                check_response_body($block, $res, $dry_run, $req_idx,
                                    $repeated_req_idx, $need_array);
            }

            if ($n || $req_idx < @$reqs - 1) {
                sleep $block->wait if $block->wait;
                check_error_log($block, $res, $dry_run, $repeated_req_idx,
                                $need_array);
                check_access_log($block, $dry_run, $repeated_req_idx)
                    unless defined $block->ignore_response;
            }

            $req_idx++;
            last unless $n;
        }
    }

    sleep $block->wait if $block->wait;
    check_error_log($block, $res, $dry_run, $repeated_req_idx, $need_array);
    check_access_log($block, $dry_run, $repeated_req_idx)
        unless defined $block->ignore_response;
}

1;
__END__

=head1 NAME

Test::Nginx::Socket - ngx_pa's small Test::Nginx::Socket-compatible runner

=head1 DESCRIPTION

Implements the subset of openresty's Test::Nginx::Socket that the ngx_pa
test suite uses. See F<tests/test-nginx/README.md> for the supported
sections, environment variables and the known differences.

=cut
