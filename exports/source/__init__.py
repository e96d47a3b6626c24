"""Where the activities come from: the local tables (embedded default) or an organisation's Supabase project."""
