#!/usr/bin/env node
import { Command } from 'commander';

// The commands of issue 7 (login, task/project backup and restore, requests, schedules, verify) are
// added here as they land; until then the CLI only identifies itself.
const program = new Command('cvat-backup')
  .description('Back up and restore CVAT tasks and projects through a cvat-backup server')
  .version('0.1.0');
program.parse();
