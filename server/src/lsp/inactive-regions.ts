// The `ebpf/inactiveRegions` notification: after each parse of an open document, the lines of its #if
// branches that are inactive in this build, sent when they differ from the last ones sent, so the client
// can fade them (a decoration, not diagnostics, which would fill the Problems view).
import { Connection } from 'vscode-languageserver/node';
import { inactiveRegions } from '../features/inactive-regions';
import { OpenDocument } from './documents';
import { INACTIVE_REGIONS_NOTIFICATION, InactiveRegionsParams } from './protocol';

export class InactiveRegionsPublisher {
  /** The regions last sent per document, as JSON. */
  private readonly sent = new Map<string, string>();

  constructor(private readonly connection: Connection, private readonly log: (msg: string) => void) {}

  publish(doc: OpenDocument): void {
    try {
      const regions = doc.bpf ? inactiveRegions(doc.parsed) : [];
      const key = JSON.stringify(regions);
      if (this.sent.get(doc.uri) === key) return;
      this.sent.set(doc.uri, key);
      const params: InactiveRegionsParams = { uri: doc.uri, version: doc.parsed.doc.version, regions };
      this.connection.sendNotification(INACTIVE_REGIONS_NOTIFICATION, params);
    } catch (e) {
      this.log(`Error while computing inactive regions for ${doc.uri}: ${(e as Error).stack}`);
    }
  }

  forget(uri: string): void {
    this.sent.delete(uri);
  }
}
