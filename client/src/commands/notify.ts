// Notifications that say what to do next: each carries its actions ("Show log", "Open", "Show Problems",
// "Generate vmlinux.h"...). They are not awaited: a command finishes while its notification stays up.
import * as vscode from 'vscode';

export interface NotificationAction {
  title: string;
  run: () => unknown;
}

export function notify(level: 'info' | 'warning' | 'error', message: string, ...actions: (NotificationAction | undefined)[]): void {
  const present = actions.filter((a): a is NotificationAction => !!a);
  const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(message, ...present.map((a) => a.title)).then((choice) => present.find((a) => a.title === choice)?.run());
}

export function showLogAction(output: vscode.OutputChannel, title = 'Show log'): NotificationAction {
  return { title, run: () => output.show(true) };
}

export const showProblemsAction: NotificationAction = { title: 'Show Problems', run: () => vscode.commands.executeCommand('workbench.actions.view.problems') };

export function openFileAction(path: string, title = 'Open'): NotificationAction {
  return { title, run: () => vscode.window.showTextDocument(vscode.Uri.file(path)) };
}

export function commandAction(title: string, command: string, ...args: unknown[]): NotificationAction {
  return { title, run: () => vscode.commands.executeCommand(command, ...args) };
}
