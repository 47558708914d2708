// Progressive enhancement: govuk-frontend's components first; Parley's own enhancements add themselves here.
import { initAll } from '/public/govuk-frontend.min.js';

initAll();
