"""What lab checks use: SQL runs, calls into learner Python, feedback exceptions."""
