"""The learner's loop around `grader check`: progress, hints, watch, reset and a shell on the playground."""
