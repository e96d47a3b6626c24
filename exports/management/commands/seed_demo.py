"""Recreate the demo organisations, peer mentors, activities, column configurations and logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exports.demo.generator import (
    DEFAULT_ACTIVITIES,
    DEFAULT_SEED,
    foreign_data,
    is_empty,
    seed_demo,
    summary_lines,
)


class Command(BaseCommand):
    help = (
        "Delete and recreate the demo data (same seed, same data); verbosity 2 lists the planted deviations. "
        "Refuses a database that holds anything but demo data unless --force; never changes the password "
        "of an existing user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--activities",
            type=int,
            default=DEFAULT_ACTIVITIES,
            help=f"activities of the first organisation; the second gets a quarter (default {DEFAULT_ACTIVITIES})",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="seed only a database with no organisation and no user; otherwise do nothing",
        )
        parser.add_argument(
            "--force", action="store_true", help="seed even though the database holds data that is not demo data"
        )

    def handle(
        self, *args: Any, activities: int, seed: int, verbosity: int, if_empty: bool, force: bool, **options: Any
    ) -> None:
        if activities < 0:
            raise CommandError("--activities must be zero or more")
        if if_empty and not is_empty():
            self.stdout.write("The database already holds data: not seeding (data and configurations are kept).")
            return
        foreign = foreign_data()
        if foreign and not force:
            raise CommandError(
                f"this database holds data that is not demo data ({', '.join(foreign)}); seed_demo "
                "would delete and replace the demo organisations' activities and configurations. "
                "Use --force if that is what you want."
            )
        summary = seed_demo(activity_count=activities, seed=seed)
        for line in summary_lines(summary, detailed=verbosity >= 2):
            self.stdout.write(line)
