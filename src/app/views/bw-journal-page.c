/* bw-journal-page.c: the downtime journal
 *
 * The stops of a period — this shift, the previous one, today or a range —
 * filtered by conveyor and cause, with the totals of the filter. A stop
 * without the operator's cause is marked until someone classifies it;
 * activating a row opens the classification view.
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bw-journal-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "bw-columns.h"
#include "bw-format.h"
#include "bw-journal-page.h"
#include "bw-time.h"

struct _BwJournalPage
{
  GtkWidget      parent_instance;

  BwContext     *context;      /* owned */
  BwStopList    *list;         /* owned */
  GtkStringList *conveyor_ids; /* owned: "" first, for all */
  GPtrArray     *cause_codes;  /* char*: NULL = all, "unclassified", codes */
  char          *title;        /* the period's name */
  gint64         custom_from;
  gint64         custom_to;
  gboolean       updating;

  GtkDropDown   *period_dropdown;
  GtkBox        *custom_box;
  GtkEntry      *from_entry;
  GtkEntry      *to_entry;
  GtkButton     *apply_button;
  GtkDropDown   *conveyor_dropdown;
  GtkDropDown   *cause_dropdown;
  GtkLabel      *period_label;
  GtkStack      *stack;
  GtkColumnView *column_view;
  GtkLabel      *totals_label;
  GtkLabel      *causes_label;
};

G_DEFINE_FINAL_TYPE (BwJournalPage, bw_journal_page, GTK_TYPE_WIDGET)

static gint64
now_us (BwJournalPage *self)
{
  return bw_line_get_data_now (bw_context_get_line (self->context));
}

/* ---- cells ---- */

static char *
start_text (gpointer item,
            gpointer data)
{
  return bw_format_date_time (BW_STOP (item)->start_us);
}

static char *
end_text (gpointer item,
          gpointer data)
{
  BwStop *s = BW_STOP (item);

  return bw_stop_is_open (s) ? g_strdup (_("still stopped")) : bw_format_date_time (s->end_us);
}

static char *
duration_text (gpointer item,
               gpointer data)
{
  BwJournalPage *self = data;
  BwStop *s = BW_STOP (item);

  return bw_format_duration ((bw_stop_is_open (s) ? now_us (self) : s->end_us) - s->start_us);
}

static char *
conveyor_text (gpointer item,
               gpointer data)
{
  return g_strdup (BW_STOP (item)->conveyor);
}

static char *
trigger_text (gpointer item,
              gpointer data)
{
  return g_strdup (bw_format_trigger (BW_STOP (item)->trigger));
}

static char *
suggested_text (gpointer item,
                gpointer data)
{
  BwJournalPage *self = data;
  BwStop *s = BW_STOP (item);
  g_autofree char *p = NULL;

  if (s->suggested_cause == NULL)
    return g_strdup ("—");
  p = bw_format_probability (s->suggested_probability);
  return g_strdup_printf ("%s (%s)", bw_line_get_cause_label (bw_context_get_line (self->context), s->suggested_cause), p);
}

static char *
cause_text (gpointer item,
            gpointer data)
{
  BwJournalPage *self = data;
  BwStop *s = BW_STOP (item);

  if (s->cause == NULL)
    return g_strdup (bw_format_cause (NULL));
  return g_strdup (bw_line_get_cause_label (bw_context_get_line (self->context), s->cause));
}

static const char *
cause_class (gpointer item,
             gpointer data)
{
  return BW_STOP (item)->cause == NULL ? "journal-unclassified" : NULL;
}

static char *
comment_text (gpointer item,
              gpointer data)
{
  const char *c = BW_STOP (item)->comment;

  return g_strdup (c && c[0] ? c : "—");
}

static char *
who_text (gpointer item,
          gpointer data)
{
  const char *c = BW_STOP (item)->classified_by;

  return g_strdup (c && c[0] ? c : "—");
}

static void
add_column (BwJournalPage     *self,
            const char        *title,
            BwColumnTextFunc   text,
            BwColumnClassFunc  cls,
            int                chars,
            gboolean           expand)
{
  GtkColumnViewColumn *col = bw_column_new_text (title, text, cls, self, chars, expand);

  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
}

/* ---- totals ---- */

static void
update_totals (BwJournalPage *self)
{
  gint64 now = now_us (self);
  guint n, unclassified;
  gint64 downtime;
  g_autofree char *dt = NULL;
  g_autofree char *stops = NULL;
  g_autoptr(GArray) causes = NULL;
  GString *by_cause = g_string_new (NULL);
  const char *error = bw_stop_list_get_error (self->list);

  bw_stop_list_get_totals (self->list, now, &n, &downtime, &unclassified);
  dt = bw_format_duration (downtime);
  stops = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u stop", "%u stops", n), n);
  if (error)
    {
      g_autofree char *text = g_strdup_printf (_("The journal could not be read: %s"), error);
      gtk_label_set_label (self->totals_label, text);
    }
  else if (unclassified)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%s, downtime %s; %u not classified",
                                                            "%s, downtime %s; %u not classified",
                                                            unclassified),
                                               stops, dt, unclassified);
      gtk_label_set_label (self->totals_label, text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("%s, downtime %s"), stops, dt);
      gtk_label_set_label (self->totals_label, text);
    }

  causes = bw_stop_list_get_cause_totals (self->list, now);
  for (guint i = 0; i < causes->len; i++)
    {
      BwCauseTotal *t = &g_array_index (causes, BwCauseTotal, i);
      g_autofree char *d = bw_format_duration (t->downtime_us);

      if (by_cause->len)
        g_string_append (by_cause, " · ");
      g_string_append_printf (by_cause, "%s: %s (%u)",
                              t->code ? bw_line_get_cause_label (bw_context_get_line (self->context), t->code)
                                      : _("Not classified"),
                              d, t->count);
    }
  gtk_label_set_label (self->causes_label, by_cause->str);
  g_string_free (by_cause, TRUE);

  gtk_stack_set_visible_child_name (self->stack,
                                    n == 0 && !bw_stop_list_is_loading (self->list) && error == NULL ? "empty" : "list");
}

/* ---- filter ---- */

static void
apply_filter (BwJournalPage *self)
{
  BwPeriod period = gtk_drop_down_get_selected (self->period_dropdown);
  gint64 from = 0, to = 0;
  g_autofree char *name = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  guint ci = gtk_drop_down_get_selected (self->conveyor_dropdown);
  guint ki = gtk_drop_down_get_selected (self->cause_dropdown);
  const char *conveyor = NULL;
  const char *cause = NULL;
  const char *conveyors[2] = { NULL, NULL };
  gint64 now = now_us (self);

  if (self->context == NULL || self->updating)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->custom_box), period == BW_PERIOD_CUSTOM);
  switch (period)
    {
    case BW_PERIOD_SHIFT:
    case BW_PERIOD_PREVIOUS_SHIFT:
      if (!bw_context_get_shift (self->context, period == BW_PERIOD_SHIFT ? BW_SHIFT_CURRENT : BW_SHIFT_PREVIOUS,
                                 now, &from, &to, &name))
        {
          from = now - 12 * BW_USEC_PER_HOUR;
          to = now;
          name = g_strdup (_("The last 12 hours"));
        }
      break;
    case BW_PERIOD_TODAY:
      from = bw_line_get_today_start (bw_context_get_line (self->context));
      to = from + BW_USEC_PER_DAY;
      name = g_strdup (_("Today"));
      break;
    case BW_PERIOD_CUSTOM:
    default:
      if (self->custom_from == 0 || self->custom_to <= self->custom_from)
        {
          self->custom_to = now;
          self->custom_from = now - BW_USEC_PER_DAY;
        }
      from = self->custom_from;
      to = self->custom_to;
      name = g_strdup (_("Custom range"));
      /* the range shown, in the entries' own format, ready to be changed */
      {
        g_autoptr(GDateTime) da = g_date_time_new_from_unix_local (from / G_USEC_PER_SEC);
        g_autoptr(GDateTime) db = g_date_time_new_from_unix_local (to / G_USEC_PER_SEC);
        g_autofree char *fa = g_date_time_format (da, "%d.%m.%Y %H:%M");
        g_autofree char *fb = g_date_time_format (db, "%d.%m.%Y %H:%M");

        gtk_editable_set_text (GTK_EDITABLE (self->from_entry), fa);
        gtk_editable_set_text (GTK_EDITABLE (self->to_entry), fb);
      }
      break;
    }

  a = bw_format_date_time (from);
  b = bw_format_date_time (to);
  g_free (self->title);
  self->title = g_strdup_printf ("%s, %s – %s", name, a, b);
  gtk_label_set_label (self->period_label, self->title);

  if (self->conveyor_ids && ci != GTK_INVALID_LIST_POSITION && ci > 0)
    conveyor = gtk_string_list_get_string (self->conveyor_ids, ci);
  conveyors[0] = conveyor;
  if (ki != GTK_INVALID_LIST_POSITION && ki < self->cause_codes->len)
    cause = self->cause_codes->pdata[ki];
  bw_stop_list_set_filter (self->list, from, to, conveyor ? conveyors : NULL, cause);
  g_settings_set_enum (bw_context_get_settings (self->context), "journal-period", period);
}

static void
filter_changed_cb (GObject       *object,
                   GParamSpec    *pspec,
                   BwJournalPage *self)
{
  apply_filter (self);
}

static void
custom_apply_cb (GtkWidget     *widget,
                 BwJournalPage *self)
{
  if (bw_journal_page_set_custom_range (self, gtk_editable_get_text (GTK_EDITABLE (self->from_entry)),
                                        gtk_editable_get_text (GTK_EDITABLE (self->to_entry))))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->from_entry), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->to_entry), "error");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->from_entry), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->to_entry), "error");
    }
}

static void
rebuild_conveyors (BwJournalPage *self)
{
  GListModel *model = bw_line_get_conveyors (bw_context_get_line (self->context));
  guint n = g_list_model_get_n_items (model);
  guint selected = gtk_drop_down_get_selected (self->conveyor_dropdown);
  g_autofree char *current = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GtkStringList) shown = NULL;
  guint keep = 0;

  if (self->conveyor_ids && selected != GTK_INVALID_LIST_POSITION && selected > 0)
    current = g_strdup (gtk_string_list_get_string (self->conveyor_ids, selected));
  g_clear_object (&self->conveyor_ids);
  self->conveyor_ids = gtk_string_list_new (NULL);
  gtk_string_list_append (self->conveyor_ids, "");
  g_ptr_array_add (labels, g_strdup (_("All conveyors")));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwLiveConveyor) c = g_list_model_get_item (model, i);
      gtk_string_list_append (self->conveyor_ids, bw_live_conveyor_get_id (c));
      g_ptr_array_add (labels, g_strdup (bw_live_conveyor_get_id (c)));
      if (g_strcmp0 (current, bw_live_conveyor_get_id (c)) == 0)
        keep = i + 1;
    }
  g_ptr_array_add (labels, NULL);
  shown = gtk_string_list_new ((const char * const *) labels->pdata);
  self->updating = TRUE;
  gtk_drop_down_set_model (self->conveyor_dropdown, G_LIST_MODEL (shown));
  gtk_drop_down_set_selected (self->conveyor_dropdown, keep);
  self->updating = FALSE;
}

static void
rebuild_causes (BwJournalPage *self)
{
  GPtrArray *causes = bw_line_get_causes (bw_context_get_line (self->context));
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GtkStringList) shown = NULL;
  guint selected = gtk_drop_down_get_selected (self->cause_dropdown);
  g_autofree char *current = NULL;
  guint keep = 0;

  if (selected != GTK_INVALID_LIST_POSITION && selected < self->cause_codes->len)
    current = g_strdup (self->cause_codes->pdata[selected]);
  g_ptr_array_set_size (self->cause_codes, 0);
  g_ptr_array_add (self->cause_codes, NULL);
  g_ptr_array_add (labels, (gpointer) _("All causes"));
  g_ptr_array_add (self->cause_codes, g_strdup (BW_CAUSE_FILTER_UNCLASSIFIED));
  g_ptr_array_add (labels, (gpointer) _("Not classified"));
  for (guint i = 0; i < causes->len; i++)
    {
      BwCause *c = causes->pdata[i];
      g_ptr_array_add (self->cause_codes, g_strdup (c->code));
      g_ptr_array_add (labels, c->label);
    }
  for (guint i = 1; i < self->cause_codes->len; i++)
    if (g_strcmp0 (current, self->cause_codes->pdata[i]) == 0)
      keep = i;
  g_ptr_array_add (labels, NULL);
  shown = gtk_string_list_new ((const char * const *) labels->pdata);
  self->updating = TRUE;
  gtk_drop_down_set_model (self->cause_dropdown, G_LIST_MODEL (shown));
  gtk_drop_down_set_selected (self->cause_dropdown, keep);
  self->updating = FALSE;
}

static void
conveyors_changed_cb (GListModel    *model,
                      guint          position,
                      guint          removed,
                      guint          added,
                      BwJournalPage *self)
{
  if (removed != added)
    rebuild_conveyors (self);
}

static void
line_loaded_cb (BwLine        *line,
                GParamSpec    *pspec,
                BwJournalPage *self)
{
  rebuild_causes (self);
  apply_filter (self);
}

static void
client_state_cb (BwClient      *client,
                 GParamSpec    *pspec,
                 BwJournalPage *self)
{
  /* what happened while away is in the ledger: read it again */
  if (bw_client_is_connected (client))
    apply_filter (self);
}

static void
tick_cb (BwLine        *line,
         BwJournalPage *self)
{
  GListModel *model = bw_stop_list_get_model (self->list);
  guint n = g_list_model_get_n_items (model);
  gboolean any_open = FALSE;

  /* open stops' durations count up */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BwStop) s = g_list_model_get_item (model, i);
      if (bw_stop_is_open (s))
        {
          g_list_store_splice (G_LIST_STORE (model), i, 1, (gpointer *) &s, 1);
          any_open = TRUE;
        }
    }
  if (any_open)
    update_totals (self);
}

static void
activate_cb (GtkColumnView *view,
             guint          position,
             BwJournalPage *self)
{
  g_autoptr(BwStop) stop = g_list_model_get_item (bw_stop_list_get_model (self->list), position);

  if (stop)
    gtk_widget_activate_action (GTK_WIDGET (self), "app.classify-stop", "x", stop->id);
}

/* ---- public ---- */

BwStopList *
bw_journal_page_get_list (BwJournalPage *self)
{
  g_return_val_if_fail (BW_IS_JOURNAL_PAGE (self), NULL);
  return self->list;
}

void
bw_journal_page_set_period (BwJournalPage *self,
                            BwPeriod       period)
{
  g_return_if_fail (BW_IS_JOURNAL_PAGE (self));

  if (gtk_drop_down_get_selected (self->period_dropdown) == period)
    apply_filter (self);
  else
    gtk_drop_down_set_selected (self->period_dropdown, period);
}

/**
 * bw_journal_page_set_custom_range:
 *
 * Shows a custom range, given as the user types it ("28.11.2026 08:00").
 *
 * Returns: whether both ends are times and @from is before @to
 */
gboolean
bw_journal_page_set_custom_range (BwJournalPage *self,
                                  const char    *from,
                                  const char    *to)
{
  gint64 a, b;

  g_return_val_if_fail (BW_IS_JOURNAL_PAGE (self), FALSE);

  if (!bw_parse_local_date_time (from, &a) || !bw_parse_local_date_time (to, &b) || b <= a)
    return FALSE;
  self->custom_from = a;
  self->custom_to = b;
  bw_journal_page_set_period (self, BW_PERIOD_CUSTOM);
  return TRUE;
}

/**
 * bw_journal_page_make_export_request:
 *
 * Returns: (transfer full): the journal's stops and filter, for a report
 */
BwExportRequest *
bw_journal_page_make_export_request (BwJournalPage *self)
{
  BwExportRequest *r;
  guint ci;

  g_return_val_if_fail (BW_IS_JOURNAL_PAGE (self), NULL);

  r = g_new0 (BwExportRequest, 1);
  r->stops = bw_stop_list_dup_stops (self->list);
  bw_stop_list_get_period (self->list, &r->from_us, &r->to_us);
  ci = gtk_drop_down_get_selected (self->conveyor_dropdown);
  if (self->conveyor_ids && ci != GTK_INVALID_LIST_POSITION && ci > 0)
    {
      const char *v[] = { gtk_string_list_get_string (self->conveyor_ids, ci), NULL };
      r->conveyors = g_strdupv ((char **) v);
    }
  r->title = g_strdup (self->title);
  r->is_shift = gtk_drop_down_get_selected (self->period_dropdown) <= BW_PERIOD_PREVIOUS_SHIFT;
  return r;
}

const char *
bw_journal_page_get_totals_text (BwJournalPage *self)
{
  g_return_val_if_fail (BW_IS_JOURNAL_PAGE (self), NULL);
  return gtk_label_get_label (self->totals_label);
}

void
bw_journal_page_set_context (BwJournalPage *self,
                             BwContext     *context)
{
  GtkNoSelection *selection;
  BwLine *line;

  g_return_if_fail (BW_IS_JOURNAL_PAGE (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  line = bw_context_get_line (context);
  self->list = bw_stop_list_new (line);
  selection = gtk_no_selection_new (g_object_ref (bw_stop_list_get_model (self->list)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  add_column (self, _("Start"), start_text, NULL, 17, FALSE);
  add_column (self, _("End"), end_text, NULL, 17, FALSE);
  add_column (self, _("Duration"), duration_text, NULL, 10, FALSE);
  add_column (self, _("Conveyor"), conveyor_text, NULL, 7, FALSE);
  add_column (self, _("First-out"), trigger_text, NULL, 14, FALSE);
  add_column (self, _("Suggested cause"), suggested_text, NULL, 16, FALSE);
  add_column (self, _("Operator's cause"), cause_text, cause_class, 16, FALSE);
  add_column (self, _("Comment"), comment_text, NULL, 14, TRUE);
  add_column (self, _("Classified by"), who_text, NULL, 10, FALSE);

  g_signal_connect_object (self->list, "changed", G_CALLBACK (update_totals), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::loading", G_CALLBACK (update_totals), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (bw_line_get_conveyors (line), "items-changed", G_CALLBACK (conveyors_changed_cb), self, 0);
  g_signal_connect_object (line, "notify::loaded", G_CALLBACK (line_loaded_cb), self, 0);
  g_signal_connect_object (line, "tick", G_CALLBACK (tick_cb), self, 0);
  g_signal_connect_object (bw_line_get_client (line), "notify::state", G_CALLBACK (client_state_cb), self, 0);

  rebuild_conveyors (self);
  rebuild_causes (self);
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->period_dropdown,
                              g_settings_get_enum (bw_context_get_settings (context), "journal-period"));
  self->updating = FALSE;
  apply_filter (self);
}

/* ---- GObject ---- */

static void
bw_journal_page_dispose (GObject *object)
{
  GtkWidget *child;
  BwJournalPage *self = BW_JOURNAL_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_JOURNAL_PAGE);
  /* the template's top box is not bound: unparent it too */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->list);
  g_clear_object (&self->conveyor_ids);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (bw_journal_page_parent_class)->dispose (object);
}

static void
bw_journal_page_finalize (GObject *object)
{
  BwJournalPage *self = BW_JOURNAL_PAGE (object);

  g_ptr_array_unref (self->cause_codes);
  g_free (self->title);
  G_OBJECT_CLASS (bw_journal_page_parent_class)->finalize (object);
}

static void
bw_journal_page_class_init (BwJournalPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bw_journal_page_dispose;
  object_class->finalize = bw_journal_page_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/bw-journal-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, custom_box);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, from_entry);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, to_entry);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, apply_button);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, conveyor_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, cause_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, period_label);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, totals_label);
  gtk_widget_class_bind_template_child (widget_class, BwJournalPage, causes_label);
}

static void
bw_journal_page_init (BwJournalPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cause_codes = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (self->period_dropdown, "notify::selected", G_CALLBACK (filter_changed_cb), self);
  g_signal_connect (self->conveyor_dropdown, "notify::selected", G_CALLBACK (filter_changed_cb), self);
  g_signal_connect (self->cause_dropdown, "notify::selected", G_CALLBACK (filter_changed_cb), self);
  g_signal_connect (self->apply_button, "clicked", G_CALLBACK (custom_apply_cb), self);
  g_signal_connect (self->from_entry, "activate", G_CALLBACK (custom_apply_cb), self);
  g_signal_connect (self->to_entry, "activate", G_CALLBACK (custom_apply_cb), self);
  g_signal_connect (self->column_view, "activate", G_CALLBACK (activate_cb), self);
}
