"""Demo data: organisations, peer mentors, activities and users for trying the export."""
