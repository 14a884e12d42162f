import TaskExecutor

// `executor <state-dir>`: started by clientd, one per running task. See TaskLaunch.
ExecutorCommand.main()
