"""The editorial chain's content steps beyond social posts: strategy, article, newsletter and
video script (written by the text providers), and their offline quality pass (`quality`)."""
