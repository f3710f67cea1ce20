"""What the notes say: find the files, load and parse them, resolve their links, assemble the site."""
