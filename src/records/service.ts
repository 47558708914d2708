/**
 * Records (issue 16): conversation exports, retention and holds, and the jobseeker's own data. This module is what
 * other features see of it: the composition root builds the parts, the application page asks for its section.
 */
import type { SignedInUser } from '../web/signed-in-user.ts';
import type { ApplicationRecord } from '../applications/repository.ts';
import type { ExportService } from './export-service.ts';
import type { RetentionService } from './retention-service.ts';
import type { DataRightsService } from './data-rights-service.ts';
import { recordUrls } from './urls.ts';

export { createExportService } from './export-service.ts';
export { createRetentionService } from './retention-service.ts';
export { createDataRightsService } from './data-rights-service.ts';

export function createRecordsService(deps: {
  exports: ExportService;
  retention: RetentionService;
  dataRights: DataRightsService;
}) {
  return {
    ...deps,

    /** The records part of the application page: the PDF download and, for staff, retention and the hold. */
    async applicationPageRecords(viewer: SignedInUser, application: ApplicationRecord) {
      const isStaff = viewer.kind === 'staff';
      return {
        isStaff,
        exportUrl: isStaff ? recordUrls.staffExport(application.id) : recordUrls.jobseekerExport(application.id),
        retention: isStaff ? await deps.retention.applicationRetention(application) : null,
      };
    },
  };
}

export type RecordsService = ReturnType<typeof createRecordsService>;
