"""Jobs: the service that creates them, the executor every runner calls, runners, job kinds,
the schedule and the built-in self-test."""
