package t::PaQsub;

# What the suites of a new report's q:submitted deadline (t/066, t/067-*)
# share: the report of the lists, the sweep's answer, the whole part of a
# score.  A suite imports what it uses:
#
#   use t::PaQsub qw(submit sweep_json qscore_floor);

use strict;
use warnings;

use Exporter 'import';
use t::PaTest ();

our @EXPORT_OK = qw(submit sweep_json qscore_floor);

# a report of the lists (laichau-2026's areas), its time the request's
sub submit {
    my ($id, $category, $phone) = @_;
    return "POST /api/v1/reports\n"
        . qq({"content":"Phản ánh $id về hạ tầng","category":"$category",)
        . qq("lat":22.396,"lng":103.458,"reporter_name":"Lò Văn Q",)
        . qq("reporter_phone":"$phone"});
}

# POST /admin/sweep's answer: $overdue steps marked, $notices sent
sub sweep_json {
    my ($overdue, $notices) = @_;
    return '{"overdue":' . $overdue . ',"rejected":0,"notices":'
           . ($notices // 0) . ',"unlocked":0,"archived":0}' . "\n";
}

# the integer part of a report's score in q:submitted of prefix $p
sub qscore_floor {
    my ($p, $id) = @_;
    my $s = t::PaTest::redis('ZSCORE', "${p}q:submitted", $id);
    return $s eq '' ? '' : sprintf('%.0f', int($s));
}

1;
