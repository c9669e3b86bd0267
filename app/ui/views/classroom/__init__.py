"""The Classroom page's three views: teacher (ask and watch live), student (join and answer),
and "My workspaces" (save, reopen, download, upload). pages/classroom.py only lays them out."""
