from django.core.management.base import BaseCommand

from agora.embed import demo, origins


class Command(BaseCommand):
    help = (
        "Serve a fictional publisher's pages with Agora's embed on another port, to see the "
        "comment section working cross-origin. Start Agora first (agora runserver)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8001, help="Port of the publisher's site.")
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument(
            "--agora", default="http://127.0.0.1:8000", help="Address of the Agora server."
        )

    def handle(self, *args, **options):
        server = demo.make_server(options["agora"], options["host"], options["port"])
        if not origins.is_allowed(server.host_url):
            self.stderr.write(
                self.style.WARNING(
                    f"{server.host_url} is not in AGORA_ALLOWED_ORIGINS: start Agora with "
                    f"AGORA_ALLOWED_ORIGINS={server.host_url} or the embed will be refused."
                )
            )
        self.stdout.write(f"The Zerdava Courier (demo publisher): {server.host_url}/")
        self.stdout.write(f"  {server.host_url}/ar.html    an Arabic article, right to left")
        self.stdout.write(f"  {server.host_url}/new.html   an article Agora creates on first use")
        self.stdout.write(f"Comments come from Agora at {server.agora_url}. Ctrl-C to stop.")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
