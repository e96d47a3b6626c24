"""Recreate the demo organisations, peer mentors, activities, column configurations and logins."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exports.demo.generator import (
    DEFAULT_ACTIVITIES,
    DEFAULT_SEED,
    seed_demo,
    summary_lines,
)


class Command(BaseCommand):
    help = "Delete and recreate the demo data (same seed, same data); verbosity 2 lists the planted deviations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--activities", type=int, default=DEFAULT_ACTIVITIES,
                            help=f"activities of the first organisation; the second gets a quarter "
                                 f"(default {DEFAULT_ACTIVITIES})")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")

    def handle(self, *args: Any, activities: int, seed: int, verbosity: int, **options: Any) -> None:
        if activities < 0:
            raise CommandError("--activities must be zero or more")
        summary = seed_demo(activity_count=activities, seed=seed)
        for line in summary_lines(summary, detailed=verbosity >= 2):
            self.stdout.write(line)
