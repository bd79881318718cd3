import os

from django.core.management.base import BaseCommand, CommandError

from bench import scale


class Command(BaseCommand):
    help = (
        "Build a trust-sized data set (150 wards, 2,000 people, 5,000 initiatives, 100,000 weekly values, "
        "20,000 excellence reports at --scale 1) with bulk inserts, for benchmarks. Refuses a database that "
        "holds anything else unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Fraction of the full size, e.g. 0.01.")
        parser.add_argument(
            "--password",
            default=os.environ.get("SCALE_PASSWORD", ""),
            help="Password for every scale user (default: $SCALE_PASSWORD). Without one, nobody can sign in.",
        )
        parser.add_argument("--seed", type=int, default=10, help="Random seed, for a repeatable data set.")
        parser.add_argument("--force", action="store_true", help="Add the data even if the database has other data.")

    def handle(self, *args, **options):
        if not 0 < options["scale"] <= 10:
            raise CommandError("--scale must be more than 0 and at most 10.")
        if not options["force"] and not scale.is_scale_database():
            raise CommandError(
                "This database already holds people or directorates that seed_scale did not create. "
                "Use a throwaway database, or --force to add the scale data alongside them."
            )
        self.stdout.write(f"Building the scale trust at scale {options['scale']:g}…")
        built = scale.build(
            scale=options["scale"], password=options["password"] or None, seed=options["seed"], log=self.stdout.write
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale trust ready in {built.seconds:.0f} s: "
                + ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in built.counts.items())
                + f". An admin: {built.admin_username}."
            )
        )
