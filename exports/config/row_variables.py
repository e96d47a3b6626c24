"""The variables an expression or column may read from one activity row."""

ROW_VARIABLES = frozenset(
    {
        "activity_id",
        "activity_type",
        "activity_label",
        "category",
        "category_label",
        "status",
        "started_at",
        "local_date",
        "local_time",
        "duration_minutes",
        "participant_count",
        "country_code",
        "municipality_code",
        "municipality_name",
        "description",
        "has_peer_mentor",
        "peer_mentor_name",
        "peer_mentor_certified",
        "peer_mentor_certified_on",
        "branch_name",
        "county_code",
        "county_name_of_branch",
        "branch_municipality_code",
        "is_duplicate",
    }
)
RESULT_VARIABLES = frozenset({"counts", "not_counted_reason", "data_issues"})
COLUMN_VARIABLES = ROW_VARIABLES | RESULT_VARIABLES
