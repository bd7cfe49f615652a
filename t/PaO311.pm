package t::PaO311;

# GeoReport v2's XML, read by a real parser (XML::LibXML) and checked
# against the spec (wiki.open311.org/GeoReport_v2, its examples, and the
# Service Request Updates extension FixMyStreet polls): element names,
# their order, the types of their text.
#
#   --- response_body_filters eval
#   \&main::xml
#
# turns an XML answer into an outline a block compares, one element a
# line, leaves as "name: text", then "conforms" or "violation: <why>":
#
#   service_requests
#     request
#       service_request_id: O-1
#       ...
#   conforms
#
# A body that is not well-formed XML comes out as "not XML: <why>"; a
# body that is not XML at all (JSON) is left as it is.

use strict;
use warnings;

use XML::LibXML;
use Exporter 'import';

our @EXPORT = qw(xml);

my $W3C = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;
my $DEC = qr/^-?\d+(?:\.\d+)?$/;

# the children each element has, in the spec's order ("x*": any number
# of x); a request has the fields of the answer it is in
my %Children = (
    discovery        => [[qw(changeset contact key_service endpoints)]],
    endpoints        => [['endpoint*']],
    endpoint         => [[qw(specification url changeset type formats)]],
    formats          => [['format*']],
    services         => [['service*']],
    service          => [[qw(service_code service_name description metadata
                             type keywords group)]],
    service_definition => [[qw(service_code attributes)]],
    attributes       => [['attribute*']],
    attribute        => [[qw(variable code datatype required
                             datatype_description order description
                             values)]],
    values           => [['value*']],
    value            => [[qw(key name)]],
    service_requests => [['request*']],
    request          => [[qw(service_request_id status status_notes
                             service_name service_code description
                             agency_responsible service_notice
                             requested_datetime updated_datetime
                             expected_datetime address address_id zipcode
                             lat long media_url)],
                         [qw(service_request_id token service_notice
                             account_id)],
                         [qw(service_request_id token)]],
    errors           => [['error*']],
    error            => [[qw(code description)]],
    service_request_updates => [['request_update*']],
    request_update   => [[qw(update_id service_request_id status
                             updated_datetime description media_url)]],
);

# what the text of a leaf must be ('' allowed where the spec has it empty),
# by "parent/name" where the name means two things, else by name
my %Type = (
    'error/code'       => qr/^[1-5]\d\d$/,
    'attribute/code'   => qr/^\S+$/,
    variable           => qr/^(?:true|false)$/,
    required           => qr/^(?:true|false)$/,
    order              => qr/^\d+$/,
    datatype           => qr/^(?:string|number|datetime|text|singlevaluelist|multivaluelist)$/,
    key                => qr/^\S+$/,
    name               => qr/./,
    metadata           => qr/^(?:true|false)$/,
    type               => qr/^(?:realtime|batch|blackbox|production|test)$/,
    status             => qr/^(?:open|closed)$/,
    service_request_id => qr/^\S+$/,
    update_id          => qr/^\S+$/,
    service_code       => qr/^\S+$/,
    requested_datetime => $W3C,
    updated_datetime   => $W3C,
    changeset          => $W3C,
    expected_datetime  => qr/^$|$W3C/,
    lat                => $DEC,
    long               => $DEC,
    format             => qr{^(?:text/xml|application/json)$},
    specification      => qr{^http://wiki\.open311\.org/GeoReport_v2$},
    url                => qr{^https?://\S+$},
    media_url          => qr{^$|^(?:https?://|/)\S+$},
    description        => qr/./s,
);

sub check {
    my ($el, $path, $why) = @_;
    my $name = $el->nodeName;
    my @kids = grep { $_->nodeType == XML_ELEMENT_NODE } $el->childNodes;
    my @names = map { $_->nodeName } @kids;

    my $shapes = $Children{$name};

    if ($shapes) {
        my $ok = 0;

        for my $shape (@$shapes) {
            if (@$shape == 1 && $shape->[0] =~ /^(\w+)\*$/) {
                my $item = $1;
                $ok = 1 unless grep { $_ ne $item } @names;
            } elsif ("@names" eq "@$shape") {
                $ok = 1;
            }
            last if $ok;
        }

        push @$why, "$path/$name: children (@names) are not the spec's"
            unless $ok;

    } elsif (@kids) {
        push @$why, "$path/$name: no such element with children";
    }

    if (!@kids && !$shapes) {
        my $text = $el->textContent;
        my $parent = $el->parentNode->nodeName;
        my $type = $Type{"$parent/$name"} // $Type{$name};

        push @$why, "$path/$name: '$text' is not of its type"
            if $type && $text !~ $type;
    }

    check($_, "$path/$name", $why) for @kids;
}

sub outline {
    my ($el, $depth) = @_;
    my @kids = grep { $_->nodeType == XML_ELEMENT_NODE } $el->childNodes;
    my $pad = '  ' x $depth;

    if (!@kids && !$Children{$el->nodeName}) {
        my $text = $el->textContent;
        return $pad . $el->nodeName . ':' . ($text eq '' ? '' : " $text")
            . "\n";
    }

    return join '', $pad . $el->nodeName . "\n",
        map { outline($_, $depth + 1) } @kids;
}

sub xml {
    my ($body) = @_;

    return $body unless $body =~ /^\s*</;

    my $doc = eval {
        XML::LibXML->new(no_network => 1)->parse_string($body)
    };

    if (!$doc) {
        (my $e = $@) =~ s/\s+/ /g;
        return "not XML: $e\n";
    }

    my $root = $doc->documentElement;
    my @why;

    check($root, '', \@why);

    my $out = outline($root, 0);

    # XML::LibXML decodes the UTF-8 document: the block compares bytes
    utf8::encode($out);

    return $out . (@why ? join('', map { "violation: $_\n" } @why)
                        : "conforms\n");
}

1;
