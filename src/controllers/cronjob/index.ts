// The CronJob controller: Jobs on a cron schedule, concurrency policy, deadlines, history limits.

export { startCronJobController } from './cronjob-controller.js';
