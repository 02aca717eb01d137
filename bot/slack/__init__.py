"""The Slack adapter: the sink that posts alerts in case threads, the Bolt app officers act through, and its runner.

Slack is optional: without SLACK_BOT_TOKEN nothing here is imported and alerts go to the terminal.
"""
