"""``runserver`` plus the periodic jobs in-process: the one command behind ``make run``.

It is daphne's runserver, so the same port serves HTTP and the live chat's websockets
(helpdesk/asgi.py, docs/live-chat.md).

The jobs are Celery beat's schedule, run by ``helpdesk.scheduler`` in a thread of
the serving process (docs/demo.md). With the autoreloader the thread starts in the
reloaded child, so a code change restarts the jobs with the new code.
"""

import logging

from daphne.management.commands.runserver import Command as RunserverCommand

from helpdesk.scheduler import Scheduler


class Command(RunserverCommand):
    help = "Serve the helpdesk for development and run the periodic jobs (surveys, SLA, …)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--no-scheduler", action="store_false", dest="scheduler",
                            help="Serve only; run no periodic jobs.")

    def inner_run(self, *args, **options):
        # Celery logs every task it runs ("Task … succeeded"); the jobs log what they did.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        if options.get("scheduler", True):
            scheduler = Scheduler()
            scheduler.start()
            self.stdout.write("Periodic jobs: " + ", ".join(job.name for job in scheduler.jobs))
        return super().inner_run(*args, **options)
