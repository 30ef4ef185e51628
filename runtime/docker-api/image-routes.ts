// The Docker Engine API's image endpoints (being written).

import type { Route } from './api-http.ts';

export const imageRoutes: Route[] = [];
