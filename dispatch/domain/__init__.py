"""The case (案卷) domain: states and the transition table, commands, errors, actors.

Pure Python: nothing here touches the database, the broker or the clock.
"""
