"""The warm grader: a process beside the warm services that has imported pytest, the plugin, the
drivers and the CLI's libraries once, and forks a child per command. `grader` hands it the command
line and its own terminal (the file descriptors themselves), so the output is the same as a cold run;
when it is not running, or the grader's code changed since it started, `grader` runs cold."""
