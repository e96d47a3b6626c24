"""Everything after the file: the bundle, its storage and download links, deviations, submissions, retention."""
