{
  "targets": [{ "target_name": "thwonk_syncfs", "sources": ["syncfs.c"] }]
}
