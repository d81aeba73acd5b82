# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration for vmsim's documentation: "make docs" builds HTML
# into out/docs with Debian's python3-sphinx, and fails on any warning.

project = 'vmsim'
copyright = 'The vmsim authors'
master_doc = 'index'
exclude_patterns = []
highlight_language = 'none'
html_theme = 'alabaster'
html_show_sourcelink = False
