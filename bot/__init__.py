"""congress-bot: answers Party congress guidance questions from local documents, with citations."""

__version__ = "0.1.0"
