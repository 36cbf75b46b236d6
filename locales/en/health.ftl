# Cohort's interface in English: the community health pages and their charts.

## The page (templates/health.html)
# $title: the group's title, or the instance's domain.
health-title = Health · { $title }
health-heading = Community health
# $home: this instance's domain.
health-every-group = Every group hosted on { $home }
health-period = The last 12 weeks, Monday to Monday (UTC); the last one is still under way.
health-other-instances = “Other instances” means people whose account is on another server than { $home }.
health-other-instances-group = “Other instances” means people whose account is on another server than { $home }, where this group lives.
health-aggregates = Aggregates only.
health-csv = Download CSV
health-instances-csv = Instances CSV
health-json = JSON
health-totals = Over the 12 weeks
health-posts = Posts
health-replies = Replies
# $percent: a whole number from 0 to 100.
health-reply-share = ({ $percent }% from other instances)
health-questions = Questions
health-answered-share = ({ $percent }% answered)
health-answers-from-other-instances = Accepted answers from other instances
# $answers of the $answered questions with an accepted answer.
health-answers-of = { $answers } of { $answered }
health-instances = Instances taking part
# The caption of a chart's table; $chart is the chart's heading.
health-figures = { $chart }: the figures

## The charts (src/http/web/health.rs): titles, descriptions and series
health-active = Active members
health-active-about = Distinct people who posted, replied or voted each week.
health-writing = Posts and replies
health-writing-about = Posts, and replies from the home instance and from other instances, stacked, each week.
health-replies-home = Replies from the home instance
health-replies-other = Replies from other instances
health-asked = Questions asked and answered
health-asked-about = Questions asked each week, and how many of them have an accepted answer now.
health-answered = Answered
health-waits = Median time to first reply and to accepted answer
health-waits-about = For the posts and questions of each week: the median wait for the first reply by someone else, and for the accepted answer. Gaps: none yet.
health-first-reply = First reply
health-accepted-answer = Accepted answer
health-across = Across organisations
health-across-about = The share of replies, and of accepted answers, written on other instances than the home one, each week.
health-instances-about = Posts and replies over the 12 weeks by the people of each instance, most first.
health-instance = Instance
health-accepted-answers = Accepted answers
# This instance in the table of instances; $domain is its domain.
health-home = { $domain } (home)

## What the charts write (src/http/web/charts.rs)
# The first column of a chart's table: the weeks.
health-week-starting = Week starting
# The chart's range, in its description; $first and $last are dates (2026-11-30).
health-weeks-range = Weeks starting { $first } to { $last }.
# A series' figures, in the chart's description.
health-series-latest = { $series }: latest { $latest }, highest { $highest }.
health-series-empty = { $series }: no data.
# A bar or dot of a chart: its series, value and week.
health-point = { $series }: { $value }, week of { $week }
health-ranking-empty = No posts or replies yet.

## Values (numbers arrive formatted, $n with a "." for the decimal point)
# The decimal separator of numbers such as 1.5.
health-decimal-separator = .
health-percent = { $n }%
health-minutes = { $n } min
health-hours = { $n } h
# Waits of two days or more.
health-days = { $n } d
