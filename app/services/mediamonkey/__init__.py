"""MediaMonkey 4 and 5 as a library kind: its rating side, playlist side and kind entry."""
