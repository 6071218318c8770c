/* bw-stop-dialog.c: the classification view of one stop
 *
 * What the operator needs to decide the cause: the signals around the stop
 * (60 s before, 30 s after), the first-out trigger, the suggested cause
 * with its probability, the reason tree, a comment and the operator's
 * name. Saving sends the classification to the server; a later one is a
 * correction, and the history below keeps both.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-stop-dialog"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "bw-json.h"
#include "bw-conveyor-chart.h"
#include "bw-format.h"
#include "bw-stop-dialog.h"
#include "bw-time.h"

struct _BwStopDialog
{
  AdwWindow         parent_instance;

  BwContext        *context;      /* owned */
  GCancellable     *cancellable;  /* owned */
  gint64            stop_id;
  BwStop           *stop;         /* owned, once loaded */
  JsonObject       *window;       /* owned, nullable: the signal window */
  GPtrArray        *cause_checks; /* GtkCheckButton*, borrowed */
  GPtrArray        *cause_rows;   /* AdwActionRow*, borrowed */
  guint             n_history;
  gboolean          saving;

  AdwWindowTitle   *window_title;
  GtkButton        *cancel_button;
  GtkButton        *save_button;
  AdwToastOverlay  *toast_overlay;
  GtkStack         *stack;
  AdwStatusPage    *error_page;
  GtkLabel         *window_caption;
  GtkBox           *window_box;
  AdwActionRow     *conveyor_row;
  AdwActionRow     *time_row;
  AdwActionRow     *trigger_row;
  AdwActionRow     *suggested_row;
  AdwActionRow     *md_row;
  AdwPreferencesGroup *causes_group;
  AdwEntryRow      *comment_row;
  AdwEntryRow      *operator_row;
  AdwPreferencesGroup *history_group;
  GtkListBox       *history_list;
};

enum
{
  SIGNAL_LOADED,
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BwStopDialog, bw_stop_dialog, ADW_TYPE_WINDOW)

/* ---- the form ---- */

const char *
bw_stop_dialog_get_selected_cause (BwStopDialog *self)
{
  g_return_val_if_fail (BW_IS_STOP_DIALOG (self), NULL);

  for (guint i = 0; i < self->cause_checks->len; i++)
    if (gtk_check_button_get_active (self->cause_checks->pdata[i]))
      return g_object_get_data (self->cause_checks->pdata[i], "bw-cause");
  return NULL;
}

static void
update_save (BwStopDialog *self)
{
  const char *cause = bw_stop_dialog_get_selected_cause (self);
  const char *comment = gtk_editable_get_text (GTK_EDITABLE (self->comment_row));
  gboolean changed;

  if (self->stop == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
      return;
    }
  changed = g_strcmp0 (cause, self->stop->cause) != 0 ||
            g_strcmp0 (comment, self->stop->comment ? self->stop->comment : "") != 0;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), cause != NULL && changed && !self->saving);
  gtk_button_set_label (self->save_button, self->stop->cause ? _("_Correct") : _("_Save"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->save_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->stop->cause ? _("Correct") : _("Save"), -1);
}

static void
form_changed_cb (GtkWidget    *widget,
                 BwStopDialog *self)
{
  update_save (self);
}

static void
build_causes (BwStopDialog *self)
{
  GPtrArray *causes = bw_line_get_causes (bw_context_get_line (self->context));
  const char *preselect = self->stop->cause ? self->stop->cause : self->stop->suggested_cause;
  GtkCheckButton *group = NULL;

  for (guint i = 0; i < causes->len; i++)
    {
      BwCause *c = causes->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), c->label);
      if (c->planned)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Planned: not counted against availability"));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      if (group)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
      else
        group = GTK_CHECK_BUTTON (check);
      g_object_set_data_full (G_OBJECT (check), "bw-cause", g_strdup (c->code), g_free);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, c->label, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      if (g_strcmp0 (c->code, self->stop->suggested_cause) == 0)
        {
          g_autofree char *p = bw_format_probability (self->stop->suggested_probability);
          g_autofree char *tag = isfinite (self->stop->suggested_probability)
                                   ? g_strdup_printf (_("suggested, %s"), p)
                                   : g_strdup (_("suggested"));
          GtkWidget *label = gtk_label_new (tag);

          gtk_widget_add_css_class (label, "suggested-tag");
          gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
        }
      if (g_strcmp0 (c->code, preselect) == 0)
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      g_signal_connect (check, "toggled", G_CALLBACK (form_changed_cb), self);
      g_ptr_array_add (self->cause_checks, check);
      g_ptr_array_add (self->cause_rows, row);
      adw_preferences_group_add (self->causes_group, row);
    }
}

static void
fill_history (BwStopDialog *self,
              JsonArray    *history)
{
  GtkWidget *child;
  BwLine *line = bw_context_get_line (self->context);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))))
    gtk_list_box_remove (self->history_list, child);
  self->n_history = history ? json_array_get_length (history) : 0;
  gtk_widget_set_visible (GTK_WIDGET (self->history_group), self->n_history > 0);
  for (guint i = 0; i < self->n_history; i++)
    {
      JsonObject *h = json_array_get_object_element (history, i);
      GtkWidget *row = adw_action_row_new ();
      gint64 t = 0;
      const char *when = json_object_get_string_member_with_default (h, "time", NULL);
      const char *who = json_object_get_string_member_with_default (h, "operator", "");
      const char *old_cause = json_object_get_string_member_with_default (h, "old_cause", NULL);
      const char *new_cause = json_object_get_string_member_with_default (h, "new_cause", NULL);
      const char *new_comment = json_object_get_string_member_with_default (h, "new_comment", NULL);
      g_autofree char *at = NULL;
      g_autofree char *title = NULL;

      if (when)
        bw_time_parse (when, -1, &t);
      at = bw_format_date_time (t);
      title = old_cause
                ? g_strdup_printf (_("%s, %s: %s → %s"), at, who, bw_line_get_cause_label (line, old_cause),
                                   bw_line_get_cause_label (line, new_cause))
                : g_strdup_printf (_("%s, %s: %s"), at, who, bw_line_get_cause_label (line, new_cause));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (new_comment && new_comment[0])
        {
          g_autofree char *c = g_strdup_printf ("«%s»", new_comment);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), c);
        }
      gtk_list_box_append (self->history_list, row);
    }
}

static void
show_stop (BwStopDialog *self,
           JsonObject   *obj)
{
  BwStop *s = self->stop;
  BwLine *line = bw_context_get_line (self->context);
  gint64 now = bw_line_get_data_now (line);
  g_autofree char *start = bw_format_date_time (s->start_us);
  g_autofree char *end = bw_stop_is_open (s) ? g_strdup (_("still stopped")) : bw_format_time (s->end_us);
  g_autofree char *dur = bw_format_duration ((bw_stop_is_open (s) ? now : s->end_us) - s->start_us);
  g_autofree char *time = g_strdup_printf ("%s – %s (%s)", start, end, dur);
  g_autofree char *title = g_strdup_printf (_("Stop of %s"), s->conveyor);
  BwLiveConveyor *c = bw_line_find_conveyor (line, s->conveyor);

  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, start);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_action_row_set_subtitle (self->conveyor_row, c && g_strcmp0 (bw_live_conveyor_get_name (c), s->conveyor)
                                                     ? bw_live_conveyor_get_name (c) : s->conveyor);
  adw_action_row_set_subtitle (self->time_row, time);
  adw_action_row_set_subtitle (self->trigger_row, bw_format_trigger (s->trigger));
  if (s->suggested_cause)
    {
      g_autofree char *p = bw_format_probability (s->suggested_probability);
      g_autofree char *text = g_strdup_printf (_("%s, probability %s"), bw_line_get_cause_label (line, s->suggested_cause), p);
      adw_action_row_set_subtitle (self->suggested_row, text);
    }
  else
    adw_action_row_set_subtitle (self->suggested_row, _("None: no classifier model on the server"));
  {
    g_autofree char *md = isfinite (s->md_peak)
                            ? g_strdup_printf (_("peak %.0f %% of the trip level, background %.0f %%"), s->md_peak, s->md_background)
                            : g_strdup ("—");
    adw_action_row_set_subtitle (self->md_row, md);
  }
  {
    double before = 60, after = 30;
    if (self->window)
      {
        gint64 t0 = 0;
        const char *t0s = json_object_get_string_member_with_default (self->window, "t0", NULL);
        double period = json_object_get_double_member_with_default (self->window, "period_ms", 100);
        double n = json_object_get_double_member_with_default (self->window, "n", 0);
        if (t0s && bw_time_parse (t0s, -1, &t0))
          {
            before = (s->start_us - t0) / 1e6;
            after = n * period / 1000.0 - before;
          }
      }
    {
      g_autofree char *cap = g_strdup_printf (_("Signals from %.0f s before the stop to %.0f s after it"), before, after);
      gtk_label_set_label (self->window_caption, cap);
    }
  }

  {
    GtkWidget *child;
    g_autoptr(GError) error = NULL;
    GtkWidget *chart = self->window ? bw_stop_window_chart_new (s, self->window, &error) : NULL;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->window_box))))
      gtk_box_remove (self->window_box, child);
    if (chart == NULL)
      {
        GtkWidget *label = gtk_label_new (self->window ? error->message : _("The signal window is not stored yet"));
        gtk_widget_set_vexpand (label, TRUE);
        gtk_widget_add_css_class (label, "dim-label");
        chart = label;
      }
    gtk_box_append (self->window_box, chart);
  }

  gtk_editable_set_text (GTK_EDITABLE (self->comment_row), s->comment ? s->comment : "");
  {
    g_autofree char *who = bw_context_dup_operator (self->context);
    gtk_editable_set_text (GTK_EDITABLE (self->operator_row), who);
  }
  if (self->cause_checks->len == 0)
    build_causes (self);
  fill_history (self, bw_json_array_member (obj, "classifications"));
  gtk_stack_set_visible_child_name (self->stack, "stop");
  update_save (self);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bw_client_get_finish (BW_CLIENT (source), result, &error);
  BwStopDialog *self;
  JsonObject *obj;
  JsonNode *win;

  if (node == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      adw_status_page_set_description (self->error_page, error ? error->message : _("The answer is not a stop"));
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  obj = json_node_get_object (node);
  g_clear_object (&self->stop);
  self->stop = bw_stop_new_from_json (obj, &error);
  if (self->stop == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  win = json_object_get_member (obj, "window");
  g_clear_pointer (&self->window, json_object_unref);
  if (win && JSON_NODE_HOLDS_OBJECT (win))
    self->window = json_object_ref (json_node_get_object (win));
  show_stop (self, obj);
  g_signal_emit (self, signals[SIGNAL_LOADED], 0);
}

static void
load (BwStopDialog *self)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/stops/%" G_GINT64_FORMAT "?window=1", self->stop_id);

  gtk_stack_set_visible_child_name (self->stack, "loading");
  bw_client_get_async (bw_context_get_client (self->context), path, self->cancellable, loaded_cb, self);
}

/* ---- saving ---- */

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = bw_line_classify_finish (BW_LINE (source), result, &error);
  BwStopDialog *self;

  if (obj == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  self->saving = FALSE;
  if (obj == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Not saved: %s"), error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
      update_save (self);
      return;
    }
  g_clear_object (&self->stop);
  self->stop = bw_stop_new_from_json (obj, NULL);
  fill_history (self, bw_json_array_member (obj, "classifications"));
  g_signal_emit (self, signals[SIGNAL_SAVED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

/**
 * bw_stop_dialog_save:
 *
 * Sends the selected cause, the comment and the operator to the server (what
 * the Save button does).
 */
void
bw_stop_dialog_save (BwStopDialog *self)
{
  const char *cause;
  g_autofree char *who = NULL;

  g_return_if_fail (BW_IS_STOP_DIALOG (self));

  cause = bw_stop_dialog_get_selected_cause (self);
  if (cause == NULL || self->stop == NULL || self->saving)
    return;
  who = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->operator_row)));
  g_strstrip (who);
  if (who[0])
    g_settings_set_string (bw_context_get_settings (self->context), "operator-name", who);
  self->saving = TRUE;
  update_save (self);
  bw_line_classify_async (bw_context_get_line (self->context), self->stop_id, cause,
                          gtk_editable_get_text (GTK_EDITABLE (self->comment_row)), who,
                          self->cancellable, saved_cb, self);
}

static void
save_clicked_cb (GtkButton    *button,
                 BwStopDialog *self)
{
  bw_stop_dialog_save (self);
}

static void
cancel_clicked_cb (GtkButton    *button,
                   BwStopDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* ---- public ---- */

gint64
bw_stop_dialog_get_stop_id (BwStopDialog *self)
{
  g_return_val_if_fail (BW_IS_STOP_DIALOG (self), 0);
  return self->stop_id;
}

gboolean
bw_stop_dialog_is_loaded (BwStopDialog *self)
{
  g_return_val_if_fail (BW_IS_STOP_DIALOG (self), FALSE);
  return self->stop != NULL;
}

/**
 * bw_stop_dialog_get_window:
 *
 * Returns: (transfer none) (nullable): the stop's signal window, as the API
 *   gives it
 */
JsonObject *
bw_stop_dialog_get_window (BwStopDialog *self)
{
  g_return_val_if_fail (BW_IS_STOP_DIALOG (self), NULL);
  return self->window;
}

GtkBox *
bw_stop_dialog_get_window_box (BwStopDialog *self)
{
  g_return_val_if_fail (BW_IS_STOP_DIALOG (self), NULL);
  return self->window_box;
}

gboolean
bw_stop_dialog_select_cause (BwStopDialog *self,
                             const char   *code)
{
  g_return_val_if_fail (BW_IS_STOP_DIALOG (self), FALSE);

  for (guint i = 0; i < self->cause_checks->len; i++)
    if (g_strcmp0 (g_object_get_data (self->cause_checks->pdata[i], "bw-cause"), code) == 0)
      {
        gtk_check_button_set_active (self->cause_checks->pdata[i], TRUE);
        return TRUE;
      }
  return FALSE;
}

void
bw_stop_dialog_set_comment (BwStopDialog *self,
                            const char   *comment)
{
  g_return_if_fail (BW_IS_STOP_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->comment_row), comment);
}

void
bw_stop_dialog_set_operator (BwStopDialog *self,
                             const char   *name)
{
  g_return_if_fail (BW_IS_STOP_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->operator_row), name);
}

guint
bw_stop_dialog_get_n_history (BwStopDialog *self)
{
  g_return_val_if_fail (BW_IS_STOP_DIALOG (self), 0);
  return self->n_history;
}

/* ---- GObject ---- */

static void
bw_stop_dialog_dispose (GObject *object)
{
  BwStopDialog *self = BW_STOP_DIALOG (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_STOP_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stop);
  g_clear_pointer (&self->window, json_object_unref);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_stop_dialog_parent_class)->dispose (object);
}

static void
bw_stop_dialog_finalize (GObject *object)
{
  BwStopDialog *self = BW_STOP_DIALOG (object);

  g_ptr_array_unref (self->cause_checks);
  g_ptr_array_unref (self->cause_rows);
  G_OBJECT_CLASS (bw_stop_dialog_parent_class)->finalize (object);
}

static void
bw_stop_dialog_class_init (BwStopDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_stop_dialog_dispose;
  object_class->finalize = bw_stop_dialog_finalize;

  /* the stop is shown */
  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* the server has the classification */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-stop-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, window_caption);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, window_box);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, conveyor_row);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, time_row);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, trigger_row);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, suggested_row);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, md_row);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, causes_group);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, comment_row);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, operator_row);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, history_group);
  gtk_widget_class_bind_template_child (widget_class, BwStopDialog, history_list);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bw_stop_dialog_init (BwStopDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->cause_checks = g_ptr_array_new ();
  self->cause_rows = g_ptr_array_new ();
  g_signal_connect (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self);
  g_signal_connect (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  g_signal_connect (self->comment_row, "changed", G_CALLBACK (form_changed_cb), self);
}

BwStopDialog *
bw_stop_dialog_new (BwContext *context,
                    gint64     stop_id)
{
  BwStopDialog *self;

  g_return_val_if_fail (BW_IS_CONTEXT (context), NULL);

  self = g_object_new (BW_TYPE_STOP_DIALOG, NULL);
  self->context = g_object_ref (context);
  self->stop_id = stop_id;
  load (self);
  return self;
}
