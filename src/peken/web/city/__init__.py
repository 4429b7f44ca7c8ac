"""The city office's pages under /kota/ (namespace `reports`): dashboard, report, exports."""
