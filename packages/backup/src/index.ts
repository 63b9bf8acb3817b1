// The exporter and importer land here with issue 6 (backup and restore through BullMQ).
export {};
