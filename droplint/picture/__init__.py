"""`droplint graph`: a picture of the model with every dropout site on it (HTML or SVG), and
the compact tree that `droplint MODEL --tree` prints."""
