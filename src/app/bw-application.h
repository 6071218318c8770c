/* bw-application.h: the Beltwatch desktop application
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bw-context.h"

G_BEGIN_DECLS

#define BW_TYPE_APPLICATION (bw_application_get_type ())

G_DECLARE_FINAL_TYPE (BwApplication, bw_application, BW, APPLICATION, AdwApplication)

BwApplication *bw_application_new              (const char        *app_id,
                                                GApplicationFlags  flags);
BwContext     *bw_application_get_context      (BwApplication     *self);
GtkWindow     *bw_application_get_main_window  (BwApplication     *self);
GtkWindow     *bw_application_get_wall_window  (BwApplication     *self);
void           bw_application_show_stop        (BwApplication     *self,
                                                gint64             stop_id);

G_END_DECLS
