"""Every lab run gets its own database: nothing a learner does leaks into another run."""
